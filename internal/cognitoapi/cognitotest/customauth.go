package cognitotest

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// The custom authentication challenge triggers WithSecretCode wires the
// ready pool to.
const (
	DefineAuthChallengeARN = "arn:aws:lambda:us-east-1:000000000000:function:app-define-auth"
	CreateAuthChallengeARN = "arn:aws:lambda:us-east-1:000000000000:function:app-create-auth"
	VerifyAuthChallengeARN = "arn:aws:lambda:us-east-1:000000000000:function:app-verify-auth"
)

// SecretCodeRounds is how many codes a SecretCode sign-in asks for.
const SecretCodeRounds = 2

// SecretCode is a custom authentication challenge written as an app
// writes its three triggers, against aws-lambda-go's event types: each
// round CreateAuthChallenge makes a six-digit code from a key of its own
// (the app would mail it; Code and CodeFor read it back), and
// VerifyAuthChallengeResponse compares the answer with it. DefineAuthChallenge asks for SecretCodeRounds right
// codes, allows one retry per round, and fails the sign-in on a second
// wrong code in a row. A sequence that starts with SRP_A proves the
// password first (PASSWORD_VERIFIER).
type SecretCode struct {
	key   []byte
	mu    sync.Mutex
	codes map[string]string // by userName: the pending challenge's code
	// Sessions are the sessions DefineAuthChallenge was given, in order.
	Sessions [][]*events.CognitoEventUserPoolsChallengeResult
	// NotFound records userNotFound of each DefineAuthChallenge event.
	NotFound []bool
}

// NewSecretCode returns a SecretCode with no pending code.
func NewSecretCode() *SecretCode {
	return &SecretCode{key: []byte(rand.Text()), codes: map[string]string{}}
}

// CodeFor is the code of userName's challenge of the given round, before
// it is asked: clients in other processes are handed it in advance.
func (sc *SecretCode) CodeFor(userName string, round int) string {
	m := hmac.New(sha256.New, sc.key)
	m.Write([]byte(userName + "\x00" + strconv.Itoa(round)))
	return fmt.Sprintf("%06d", binary.BigEndian.Uint32(m.Sum(nil))%1_000_000)
}

// Define is the DefineAuthChallenge function.
func (sc *SecretCode) Define(_ context.Context, ev events.CognitoEventUserPoolsDefineAuthChallenge) (events.CognitoEventUserPoolsDefineAuthChallenge, error) {
	sc.mu.Lock()
	sc.Sessions = append(sc.Sessions, ev.Request.Session)
	sc.NotFound = append(sc.NotFound, ev.Request.UserNotFound)
	sc.mu.Unlock()
	session := ev.Request.Session
	right, wrongInRow := 0, 0
	for _, r := range session {
		switch {
		case r.ChallengeName == "CUSTOM_CHALLENGE" && r.ChallengeResult:
			right, wrongInRow = right+1, 0
		case r.ChallengeName == "CUSTOM_CHALLENGE":
			wrongInRow++
		}
	}
	var last *events.CognitoEventUserPoolsChallengeResult
	if len(session) > 0 {
		last = session[len(session)-1]
	}
	switch {
	case last != nil && last.ChallengeName == "SRP_A":
		ev.Response.ChallengeName = "PASSWORD_VERIFIER"
	case last != nil && last.ChallengeName == "PASSWORD_VERIFIER" && !last.ChallengeResult, wrongInRow >= 2:
		ev.Response.FailAuthentication = true
	case right >= SecretCodeRounds:
		ev.Response.IssueTokens = true
	default:
		ev.Response.ChallengeName = "CUSTOM_CHALLENGE"
	}
	return ev, nil
}

// Create is the CreateAuthChallenge function.
func (sc *SecretCode) Create(_ context.Context, ev events.CognitoEventUserPoolsCreateAuthChallenge) (events.CognitoEventUserPoolsCreateAuthChallenge, error) {
	round := 1
	for _, r := range ev.Request.Session {
		if r.ChallengeName == "CUSTOM_CHALLENGE" && r.ChallengeResult {
			round++
		}
	}
	code := sc.CodeFor(ev.UserName, round)
	sc.mu.Lock()
	sc.codes[ev.UserName] = code
	sc.mu.Unlock()
	ev.Response.PublicChallengeParameters = map[string]string{"round": strconv.Itoa(round), "hint": "code sent by e-mail"}
	ev.Response.PrivateChallengeParameters = map[string]string{"code": code}
	ev.Response.ChallengeMetadata = "CODE-" + strconv.Itoa(round)
	return ev, nil
}

// Verify is the VerifyAuthChallengeResponse function.
func (sc *SecretCode) Verify(_ context.Context, ev events.CognitoEventUserPoolsVerifyAuthChallenge) (events.CognitoEventUserPoolsVerifyAuthChallenge, error) {
	answer, _ := ev.Request.ChallengeAnswer.(string)
	ev.Response.AnswerCorrect = answer != "" && answer == ev.Request.PrivateChallengeParameters["code"]
	return ev, nil
}

// Code is the code of userName's pending challenge, as the user reads it
// from the message the app would send.
func (sc *SecretCode) Code(userName string) string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.codes[userName]
}

// Invoker returns the function the ARN names, or nil.
func (sc *SecretCode) Invoker(arn string) userpool.Invoker {
	switch arn {
	case DefineAuthChallengeARN:
		return lambdainvoke.InProcess(sc.Define)
	case CreateAuthChallengeARN:
		return lambdainvoke.InProcess(sc.Create)
	case VerifyAuthChallengeARN:
		return lambdainvoke.InProcess(sc.Verify)
	}
	return nil
}

// WithSecretCode wires the ready pool's three custom authentication
// challenge triggers to sc, run in-process, and allows CUSTOM_AUTH on the
// ready client.
func WithSecretCode(sc *SecretCode) Option {
	return func(o *options) {
		o.custom = sc
		o.pool = append(o.pool, func(in *cip.CreateUserPoolInput) {
			if in.LambdaConfig == nil {
				in.LambdaConfig = &types.LambdaConfigType{}
			}
			in.LambdaConfig.DefineAuthChallenge = aws.String(DefineAuthChallengeARN)
			in.LambdaConfig.CreateAuthChallenge = aws.String(CreateAuthChallengeARN)
			in.LambdaConfig.VerifyAuthChallengeResponse = aws.String(VerifyAuthChallengeARN)
		})
		o.client = append(o.client, func(in *cip.CreateUserPoolClientInput) {
			in.ExplicitAuthFlows = append(in.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowCustomAuth)
		})
	}
}
