package ctl

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	rscsync "github.com/rscgo/rscgo/sync"
)

// dead dismiss deletes the dead letters named, by key or bare id, and
// nothing else; it refuses, deleting nothing, without -yes, for a key the
// customer does not have and for a deletion, which must reach LinkedIn.
func TestDismiss(t *testing.T) {
	deletion := rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: "C3", Delete: true, Reason: "LinkedIn answered 500",
		Attempts: 1, FirstFailedAt: t0, LastFailedAt: t0}
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		out, err string
		left     []string // the dead letters' keys afterwards
	}{
		{name: "by key and bare id", args: []string{"-yes", "acme", "candidate//C7", "C9"},
			out:  "customer acme: 2 dead letters dismissed (candidate//C7, candidate//C9); a record goes again when the ATS changes it, or with a resync of its phase\n",
			left: []string{deletion.Key()}},
		{name: "named twice", args: []string{"-yes", "acme", "C7", "candidate//C7"},
			out:  "customer acme: 1 dead letter dismissed (candidate//C7); a record goes again when the ATS changes it, or with a resync of its phase\n",
			left: []string{"candidate//C9", deletion.Key()}},
		{name: "json", args: []string{"-yes", "-json", "acme", "C9"},
			out:  `{"customer":"acme","dismissed":true,"key":"candidate//C9"}` + "\n",
			left: []string{"candidate//C7", deletion.Key()}},
		{name: "without -yes", args: []string{"acme", "C7"}, code: 2,
			err:  "rscctl: dead dismiss deletes dead letters without sending them: add -yes\n" + usage + "\n",
			left: []string{"candidate//C7", "candidate//C9", deletion.Key()}},
		{name: "no key", args: []string{"-yes", "acme"}, code: 2,
			err:  "rscctl: dead dismiss needs a CUSTOMER and at least one KEY\n" + usage + "\n",
			left: []string{"candidate//C7", "candidate//C9", deletion.Key()}},
		{name: "unknown key", args: []string{"-yes", "acme", "C7", "candidate//C8"}, code: 3,
			err:  "rscctl: customer \"acme\" has no dead letter \"candidate//C8\"\n",
			left: []string{"candidate//C7", "candidate//C9", deletion.Key()}},
		{name: "a deletion", args: []string{"-yes", "acme", "C7", deletion.Key()}, code: 2,
			err:  "rscctl: dead dismiss: \"" + deletion.Key() + "\" is a deletion, which stays until LinkedIn acknowledges it (dead retry): dismissed, it would leave on LinkedIn a record the ATS deleted\n" + usage + "\n",
			left: []string{"candidate//C7", "candidate//C9", deletion.Key()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, dead := dataDir(t)
			if err := dead.Put(t.Context(), "acme", deletion); err != nil {
				t.Fatal(err)
			}
			code, out, errs := rscctl(t, append([]string{"-data", dir, "dead", "dismiss"}, tc.args...)...)
			expect(t, code, out, errs, tc.code, tc.out, tc.err)
			var left []string
			for d, err := range dead.List(t.Context(), "acme") {
				if err != nil {
					t.Fatal(err)
				}
				left = append(left, d.Key())
			}
			if d := cmp.Diff(tc.left, left); d != "" {
				t.Errorf("dead letters left (-want +got):\n%s", d)
			}
		})
	}
}
