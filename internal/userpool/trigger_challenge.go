package userpool

import "context"

// The custom authentication challenge triggers of a CUSTOM_AUTH sign-in
// (customauth.go runs the sequence): DefineAuthChallenge chooses the next
// step from the challenges answered so far, CreateAuthChallenge makes a
// CUSTOM_CHALLENGE, VerifyAuthChallengeResponse judges its answer. Their
// events are the shapes of aws-lambda-go's
// events.CognitoEventUserPoolsDefineAuthChallenge, …CreateAuthChallenge
// and …VerifyAuthChallenge, with the response members null, as Cognito
// sends them.

// Trigger names and sources of the custom authentication challenge.
const (
	triggerDefineAuthChallenge = "DefineAuthChallenge"
	triggerCreateAuthChallenge = "CreateAuthChallenge"
	triggerVerifyAuthChallenge = "VerifyAuthChallengeResponse"

	sourceDefineAuthChallenge = "DefineAuthChallenge_Authentication"
	sourceCreateAuthChallenge = "CreateAuthChallenge_Authentication"
	sourceVerifyAuthChallenge = "VerifyAuthChallengeResponse_Authentication"
)

// challengeResult is one challenge of a sequence and how it went
// (ChallengeResult); challengeMetadata is null unless CreateAuthChallenge
// named one.
type challengeResult struct {
	ChallengeName     string  `json:"challengeName"`
	ChallengeResult   bool    `json:"challengeResult"`
	ChallengeMetadata *string `json:"challengeMetadata"`
}

// challengeSubject is the user a sequence signs in, as the three events
// describe it: the stored user's attributes, or none and userNotFound for
// a name that does not exist (only on clients that prevent user-existence
// errors).
type challengeSubject struct {
	userName string
	attrs    map[string]string
	notFound bool
}

// subjectOf describes u (nil: the unknown name typed) to the triggers.
func subjectOf(p *pool, typed string, u *User) challengeSubject {
	if u == nil {
		return challengeSubject{userName: typed, attrs: map[string]string{}, notFound: true}
	}
	return challengeSubject{userName: u.Username, attrs: eventAttributes(p, u)}
}

// defineAnswer is DefineAuthChallenge's response.
type defineAnswer struct {
	ChallengeName      string `json:"challengeName"`
	IssueTokens        bool   `json:"issueTokens"`
	FailAuthentication bool   `json:"failAuthentication"`
}

// createAnswer is CreateAuthChallenge's response.
type createAnswer struct {
	PublicChallengeParameters  map[string]string `json:"publicChallengeParameters"`
	PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
	ChallengeMetadata          string            `json:"challengeMetadata"`
}

// defineAuthChallenge asks the pool's DefineAuthChallenge function for
// the next step after the challenges of session.
func (s *Service) defineAuthChallenge(ctx context.Context, p *pool, who challengeSubject, session []challengeResult) (defineAnswer, error) {
	ev := newEvent(p, callOf(ctx), "1", sourceDefineAuthChallenge, who.userName)
	ev.Request = struct {
		UserAttributes map[string]string `json:"userAttributes"`
		Session        []challengeResult `json:"session"`
		ClientMetadata map[string]string `json:"clientMetadata"`
		UserNotFound   bool              `json:"userNotFound"`
	}{who.attrs, nonNilSession(session), nonNil(callOf(ctx).meta), who.notFound}
	ev.Response = struct {
		ChallengeName      *string `json:"challengeName"`
		IssueTokens        *bool   `json:"issueTokens"`
		FailAuthentication *bool   `json:"failAuthentication"`
	}{}
	var out defineAnswer
	err := s.runTrigger(ctx, p, triggerDefineAuthChallenge, p.set.LambdaConfig.DefineAuthChallenge, ev, &out)
	return out, err
}

// createAuthChallenge asks the pool's CreateAuthChallenge function for the
// challenge named name, the next of session.
func (s *Service) createAuthChallenge(ctx context.Context, p *pool, who challengeSubject, name string, session []challengeResult) (createAnswer, error) {
	ev := newEvent(p, callOf(ctx), "1", sourceCreateAuthChallenge, who.userName)
	ev.Request = struct {
		UserAttributes map[string]string `json:"userAttributes"`
		ChallengeName  string            `json:"challengeName"`
		Session        []challengeResult `json:"session"`
		ClientMetadata map[string]string `json:"clientMetadata"`
		UserNotFound   bool              `json:"userNotFound"`
	}{who.attrs, name, nonNilSession(session), nonNil(callOf(ctx).meta), who.notFound}
	ev.Response = struct {
		PublicChallengeParameters  map[string]string `json:"publicChallengeParameters"`
		PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
		ChallengeMetadata          *string           `json:"challengeMetadata"`
	}{}
	var out createAnswer
	err := s.runTrigger(ctx, p, triggerCreateAuthChallenge, p.set.LambdaConfig.CreateAuthChallenge, ev, &out)
	return out, err
}

// verifyAuthChallenge asks the pool's VerifyAuthChallengeResponse
// function whether answer answers the challenge whose private parameters
// are private.
func (s *Service) verifyAuthChallenge(ctx context.Context, p *pool, who challengeSubject, private map[string]string, answer string) (bool, error) {
	ev := newEvent(p, callOf(ctx), "1", sourceVerifyAuthChallenge, who.userName)
	ev.Request = struct {
		UserAttributes             map[string]string `json:"userAttributes"`
		PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
		ChallengeAnswer            string            `json:"challengeAnswer"`
		ClientMetadata             map[string]string `json:"clientMetadata"`
		UserNotFound               bool              `json:"userNotFound"`
	}{who.attrs, nonNil(private), answer, nonNil(callOf(ctx).meta), who.notFound}
	ev.Response = struct {
		AnswerCorrect *bool `json:"answerCorrect"`
	}{}
	var out struct {
		AnswerCorrect bool `json:"answerCorrect"`
	}
	err := s.runTrigger(ctx, p, triggerVerifyAuthChallenge, p.set.LambdaConfig.VerifyAuthChallengeResponse, ev, &out)
	return out.AnswerCorrect, err
}

// nonNilSession returns session, or an empty one: Cognito sends [] for the
// first step of a sequence.
func nonNilSession(session []challengeResult) []challengeResult {
	if session == nil {
		return []challengeResult{}
	}
	return session
}
