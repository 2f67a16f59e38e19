package cognitoapi

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// sdkOperations lists the operations of aws-sdk-go-v2's client: its
// methods of the form Op(ctx, *OpInput, ...func(*Options)).
func sdkOperations() []string {
	ctxType := reflect.TypeFor[context.Context]()
	var ops []string
	ct := reflect.TypeFor[*cip.Client]()
	for i := range ct.NumMethod() {
		m := ct.Method(i)
		if m.Type.NumIn() == 4 && m.Type.In(1) == ctxType && m.Type.In(2).Kind() == reflect.Pointer &&
			m.Type.In(2).Elem().Name() == m.Name+"Input" {
			ops = append(ops, m.Name)
		}
	}
	return ops
}

func TestOperationsInModel(t *testing.T) {
	sdk := sdkOperations()
	if len(sdk) < 100 {
		t.Fatalf("found only %d operations on the SDK client: %v", len(sdk), sdk)
	}
	for op := range operations {
		if !slices.Contains(sdk, op) {
			t.Errorf("the dispatch table serves %s, which the SDK lacks", op)
		}
	}
	if !slices.Equal(sdk, cognitoOperations) {
		t.Errorf("cognitoOperations is out of step with the SDK:\n got %s\nwant %s",
			strings.Join(cognitoOperations, " "), strings.Join(sdk, " "))
	}
}
