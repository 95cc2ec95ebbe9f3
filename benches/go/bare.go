// Package peers measures the Go binding against azidentity's
// ManagedIdentityCredential in one `go test -bench` run (peers_test.go);
// benches/broker runs it while `vd-broker serve` answers azidentity.
package peers

/*
#cgo pkg-config: vd_broker
#include <stdlib.h>
#include "vd_broker.h"

// One bare get-token: the preferred C call and the free of its token, the
// floor under the binding's GetToken.
static int32_t peers_fetch(vd_broker_client *client, const char *scope) {
	vd_broker_token *token = NULL;
	int32_t status = vd_broker_client_fetch_token(client, scope, NULL, 0, &token, NULL);
	vd_broker_token_free(token);
	return status;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// bareClient is a native client used through cgo with nothing of the
// binding in between.
type bareClient struct {
	client *C.vd_broker_client
	scope  *C.char
}

func newBareClient(brokerURL, credentialFile, scope string) (*bareClient, error) {
	options := C.vd_broker_options_new()
	defer C.vd_broker_options_free(options)
	for _, set := range []struct {
		value string
		apply func(*C.char) C.int32_t
	}{
		{brokerURL, func(v *C.char) C.int32_t { return C.vd_broker_options_set_broker_url(options, v) }},
		{credentialFile, func(v *C.char) C.int32_t { return C.vd_broker_options_set_credential_file(options, v) }},
	} {
		value := C.CString(set.value)
		set.apply(value)
		C.free(unsafe.Pointer(value))
	}
	var client *C.vd_broker_client
	if status := C.vd_broker_client_create(options, &client, nil); status != C.VD_BROKER_OK {
		return nil, fmt.Errorf("vd_broker_client_create: status %d", status)
	}
	return &bareClient{client: client, scope: C.CString(scope)}, nil
}

// fetch is one cgo call: vd_broker_client_fetch_token, then token_free.
func (b *bareClient) fetch() error {
	if status := C.peers_fetch(b.client, b.scope); status != C.VD_BROKER_OK {
		return fmt.Errorf("vd_broker_client_fetch_token: status %d", status)
	}
	return nil
}

func (b *bareClient) close() {
	C.vd_broker_client_free(b.client)
	C.free(unsafe.Pointer(b.scope))
}
