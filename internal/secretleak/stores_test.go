package secretleak

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/internal/mustopen"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc"
)

// TestSecretStores: credentials never print their secret, in any format,
// and the file store keeps secrets in 0600 files inside a 0700 directory.
func TestSecretStores(t *testing.T) {
	const secret = "SECRET-stored-xyz-5a5a5a"
	creds := onboarding.Credentials{ClientID: "child-1", ClientSecret: secret}
	var logs bytes.Buffer
	log := slog.New(slog.NewMultiHandler(slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)))
	log.Info("creds", "value", creds, "ptr", &creds)
	log.Info("creds", slog.Any("any", creds))
	js, err := json.Marshal(creds)
	if err != nil {
		t.Fatal(err)
	}
	jsp, _ := json.Marshal(&creds)
	wrapped := struct{ C onboarding.Credentials }{creds}
	outputs := map[string]string{
		"String": creds.String(), "GoString": creds.GoString(), "%v": fmt.Sprintf("%v", creds), "%+v": fmt.Sprintf("%+v", creds),
		"%#v": fmt.Sprintf("%#v", creds), "%v of pointer": fmt.Sprintf("%v", &creds),
		"%+v of pointer": fmt.Sprintf("%+v", &creds), "%+v in a struct": fmt.Sprintf("%+v", wrapped),
		"%#v in a struct": fmt.Sprintf("%#v", wrapped), "%v in a slice": fmt.Sprint([]onboarding.Credentials{creds}),
		"%v in a map": fmt.Sprint(map[string]onboarding.Credentials{"k": creds}),
		"JSON":        string(js), "JSON of pointer": string(jsp), "slog": logs.String(),
	}
	//lint:ignore S1025 the %s verb itself is under test
	outputs["%s"] = fmt.Sprintf("%s", creds)
	for name, out := range outputs {
		if strings.Contains(out, secret) {
			t.Errorf("LEAK: Credentials %s prints the secret: %s", name, out)
		}
		if !strings.Contains(out, "child-1") {
			t.Errorf("Credentials %s does not show the client id (so this check proves nothing): %s", name, out)
		}
	}

	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "secrets")
	stores := map[string]onboarding.SecretStore{"memory": onboarding.NewMemorySecretStore()}
	fs := mustopen.Dir(t, onboarding.NewFileSecretStore, dir)
	stores["file"] = fs
	for name, s := range stores {
		ref := "rsc/child-app/acme/main"
		if err := s.Put(ctx, ref, creds); err != nil {
			t.Fatalf("%s: Put: %v", name, err)
		}
		got, err := s.Get(ctx, ref)
		if err != nil || got != creds {
			t.Fatalf("%s: Get = %v, %v", name, got, err)
		}
		for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
			if out := fmt.Sprintf(f, s); strings.Contains(out, secret) {
				t.Errorf("LEAK: %s store printed with %s shows the secret", name, f)
			}
		}
		_, err = s.Get(ctx, "missing")
		if err == nil {
			t.Errorf("%s: Get of a missing ref succeeded", name)
		} else if strings.Contains(fmt.Sprintf("%+v", err), secret) {
			t.Errorf("LEAK: %s store error shows the secret: %v", name, err)
		}
	}

	// Permissions of the file store.
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p := st.Mode().Perm(); p != 0o700 {
		t.Errorf("secret directory mode %o, want 700", p)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if !info.Mode().IsRegular() {
			continue
		}
		files++
		if p := info.Mode().Perm(); p != 0o600 {
			t.Errorf("secret file %s mode %o, want 600", e.Name(), p)
		}
		if strings.Contains(e.Name(), "acme") {
			t.Errorf("secret file name %s shows the reference", e.Name())
		}
	}
	if files != 1 {
		t.Errorf("file store holds %d files, want 1", files)
	}
	// A corrupt file must not be quoted in the error.
	for _, e := range entries {
		if err := os.WriteFile(filepath.Join(dir, e.Name()), []byte(`{"clientSecret":"`+secret+`"`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fs.Get(ctx, "rsc/child-app/acme/main"); err == nil {
		t.Error("corrupt secret file was read")
	} else if strings.Contains(fmt.Sprintf("%+v", err), secret) {
		t.Errorf("LEAK: corrupt-file error quotes the secret: %v", err)
	}
}

// TestSecretHoldersPrintNoSecret: every value of onboarding and inmail that
// holds a secret (credentials, secret stores, the widget state signer, the
// flow, the push and widget handlers, a Retriever) prints none, in any
// encoding, through fmt, encoding/json and slog's text and JSON handlers.
func TestSecretHoldersPrintNoSecret(t *testing.T) {
	ctx := t.Context()
	const secret = `SECRET-holder+x/y=z&"<é> %\\`
	key := []byte(`KEY-signer+x/y=z&"<é> %\\......`)
	creds := onboarding.Credentials{ClientID: "child-1", ClientSecret: secret}
	mem := onboarding.NewMemorySecretStore()
	files := mustopen.Dir(t, onboarding.NewFileSecretStore, filepath.Join(t.TempDir(), "secrets"))
	for _, s := range []onboarding.SecretStore{mem, files} {
		if err := s.Put(ctx, "rsc/child-app/acme", creds); err != nil {
			t.Fatal(err)
		}
	}
	signer, err := onboarding.NewStateSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	partner, err := rsc.NewClient(rsc.WithCredentials("partner", secret))
	if err != nil {
		t.Fatal(err)
	}
	flow, err := onboarding.NewFlow(onboarding.FlowConfig{Partner: partner, PushBase: "https://ats.example/rsc/push"},
		onboarding.WithSecretStore(mem))
	if err != nil {
		t.Fatal(err)
	}
	push, err := flow.PushHandler("/rsc/push")
	if err != nil {
		t.Fatal(err)
	}
	defer push.Close()
	widget, err := flow.WidgetHandler(signer, func(*http.Request) (string, string, error) { return "acme", secret, nil })
	if err != nil {
		t.Fatal(err)
	}
	r, err := inmail.New(inmail.Config{CustomerID: "acme", Client: partner, Organization: org, Sink: inmail.NewMemorySink(),
		State: func(context.Context) (milestones.State, error) { return milestones.State{}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	rh, err := r.PushHandler(func(context.Context) (string, error) { return secret, nil })
	if err != nil {
		t.Fatal(err)
	}
	defer rh.Close()

	// The check sees a secret in every encoding it looks for.
	for enc, form := range encodings(secret) {
		if !strings.Contains(form, "SECRET-holder") {
			t.Fatalf("encoding %s of the secret lost its marker: %q", enc, form)
		}
	}
	var control bytes.Buffer
	slog.New(slog.NewJSONHandler(&control, nil)).Info("x", "v", struct{ S string }{secret})
	if !strings.Contains(control.String(), encodings(secret)["JSON without HTML escaping"]) || strings.Contains(control.String(), secret) {
		t.Fatalf("a secret in a JSON log is not found: %s", control.String())
	}
	holders := map[string]any{"Credentials": creds, "*Credentials": &creds, "MemorySecretStore": mem, "FileSecretStore": files,
		"StateSigner": signer, "Flow": flow, "onboarding.PushHandler": push, "WidgetHandler": widget,
		"Retriever": r, "inmail.PushHandler": rh}
	for name, v := range holders {
		var text, js bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Info("x", "v", v)
		slog.New(slog.NewJSONHandler(&js, nil)).Info("x", "v", v)
		b, _ := json.Marshal(v)
		outputs := map[string]string{"slog text": text.String(), "slog JSON": js.String(), "JSON": string(b),
			"%v": fmt.Sprintf("%v", v), "%+v": fmt.Sprintf("%+v", v), "%#v": fmt.Sprintf("%#v", v)}
		for how, out := range outputs {
			for _, s := range []string{secret, string(key)} {
				for enc, form := range encodings(s) {
					if strings.Contains(out, form) {
						t.Errorf("LEAK: %s printed with %s shows a secret (%s): %s", name, how, enc, out)
					}
				}
			}
		}
	}
}
