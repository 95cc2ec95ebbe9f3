package vdbroker

import "sync/atomic"

// maxIssuedScopes bounds issuedSecrets: past it the map starts again empty,
// so a caller cycling through many scopes costs memory for at most this many.
const maxIssuedScopes = 64

// issuedSecrets is the secret a handle last handed out for each scope, so a
// GetToken whose secret has the same bytes hands out that same string
// rather than allocating a copy. It is not a token cache: every GetToken
// still asks the library, which alone decides which token is valid (and
// whether to mint a new one); this only compares the library's answer with
// bytes Go already holds. Reads are one atomic load and a map lookup; a
// change copies the small map (copy-on-write), as a new secret per scope
// comes only when a token is renewed.
type issuedSecrets struct {
	secrets atomic.Pointer[map[string]string]
}

// last is the secret last handed out for scope, "" for none.
func (s *issuedSecrets) last(scope string) string {
	if m := s.secrets.Load(); m != nil {
		return (*m)[scope]
	}
	return ""
}

// remember makes secret the last one handed out for scope.
func (s *issuedSecrets) remember(scope, secret string) {
	for {
		old := s.secrets.Load()
		next := map[string]string{scope: secret}
		if old != nil && len(*old) < maxIssuedScopes {
			for k, v := range *old {
				if k != scope {
					next[k] = v
				}
			}
		}
		if s.secrets.CompareAndSwap(old, &next) {
			return
		}
	}
}

// clear drops every secret, when the handle is closed.
func (s *issuedSecrets) clear() {
	s.secrets.Store(nil)
}
