// Package userpool is the local user pool's domain: pools, app clients and
// users with Cognito's rules (username and alias attributes, case
// sensitivity, schema, password policy, statuses, codes), the flows that act
// on them, and the user-migration trigger run exactly as Cognito runs it.
// It knows nothing of HTTP or JSON 1.1; the cognitoapi package speaks that.
//
// Persistence is behind Store, with implementations in sub-packages that all
// pass storetest.Run.
package userpool
