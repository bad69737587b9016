package rsc

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/internal/restli"
)

// confusableIDs are candidate ids a wrong match would confuse: ids that
// differ only by a space, a plus, an escape, a case, or a character a key
// escapes; then plain ones up to a full batch.
func confusableIDs() []string {
	ids := []string{"C 1", "C+1", "C%201", "C%2B1", "C1", "c1", "C:1", "C%3A1", "C/1", "C&1=", "C(1)", "C,1", "C'1", "é1", "e\u03011", "C 1 "}
	for i := len(ids); i < MaxBatchSize; i++ {
		ids = append(ids, fmt.Sprintf("N%03d", i))
	}
	return ids
}

// answerBody writes a batch answer: keys[j] gets statuses[j] in results,
// or, when message[j] is not "", that message in errors with status 422;
// in the order given by order.
func answerBody(keys []string, statuses []int, messages []string, order []int) string {
	var results, errs []string
	for _, j := range order {
		k, _ := json.Marshal(keys[j])
		if messages[j] != "" {
			m, _ := json.Marshal(messages[j])
			errs = append(errs, fmt.Sprintf(`%s:{"status":422,"message":%s}`, k, m))
			continue
		}
		results = append(results, fmt.Sprintf(`%s:{"status":%d}`, k, statuses[j]))
	}
	return `{"results":{` + strings.Join(results, ",") + `},"errors":{` + strings.Join(errs, ",") + `}}`
}

// Each record of a batch gets the outcome its own key is given in the
// answer, whatever the order of the answer and however the server spells
// the keys: as sent, or in its own escaping (restli.EncodeServerBodyKey).
// Every record is given a status of its own (200 + its position), or an
// error naming it, so that an answer credited to another record shows.
func TestBatchAnswerOutOfOrder(t *testing.T) {
	t.Parallel()
	ids := confusableIDs()
	cands := make([]Candidate, len(ids))
	for i, id := range ids {
		cands[i] = testCandidate(id)
		cands[i].ExternalProfileURL = "https://ats.example.com/c/" + strconv.Itoa(i)
	}
	n := len(cands)
	shuffled := rand.New(rand.NewPCG(1, 2)).Perm(n)
	inOrder := make([]int, n)
	for i := range inOrder {
		inOrder[i] = i
	}
	reversed := slices.Clone(inOrder)
	slices.Reverse(reversed)
	for _, fam := range []struct {
		name string
		opts []Option
	}{{"v2", nil}, {"versioned", []Option{WithVersion("202604")}}} {
		for _, spelling := range []string{"as sent", "server"} {
			for _, order := range []struct {
				name string
				idx  []int
			}{{"in order", inOrder}, {"reversed", reversed}, {"shuffled", shuffled}} {
				for _, withErrors := range []bool{false, true} {
					name := fmt.Sprintf("%s/%s/%s/errors=%v", fam.name, spelling, order.name, withErrors)
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						var keys []string
						statuses, messages := make([]int, n), make([]string, n)
						want := make([]string, n)
						var answer string
						h := setupInProcess(t, func(w http.ResponseWriter, s seen) { reply(w, http.StatusOK, answer) }, fam.opts...)
						p := h.client.fam.of(resCandidates).proto
						for i, c := range cands {
							k := c.Key.restli(h.client.fam)
							if spelling == "server" {
								keys = append(keys, restli.EncodeServerBodyKey(p, k))
							} else {
								keys = append(keys, restli.EncodeKeyBody(p, k))
							}
							statuses[i] = 200 + i
							want[i] = "status " + strconv.Itoa(statuses[i])
							if withErrors && i%3 == 1 {
								messages[i] = "refused " + c.Key.CandidateID
								want[i] = "status 422: " + messages[i]
							}
						}
						answer = answerBody(keys, statuses, messages, order.idx)
						res, err := h.client.Candidates.Upsert(t.Context(), cands)
						if err != nil {
							t.Fatal(err)
						}
						got := make([]string, n)
						for i, it := range res.Items {
							got[i] = "status " + strconv.Itoa(it.Status)
							var ee *EntityError
							if it.Err != nil {
								if !errors.As(it.Err, &ee) || ee.Key != ids[i] {
									t.Fatalf("item %d (%q): error %v, want an entity error naming it", i, ids[i], it.Err)
								}
								got[i] += ": " + ee.Message
							}
						}
						if d := cmp.Diff(want, got); d != "" {
							t.Errorf("outcomes (-want +got):\n%s", d)
						}
					})
				}
			}
		}
	}
}

// keyIndex finds every key of a batch from any spelling a server answers
// with, fields in any order, and nothing else: the same answer as decoding
// the answer's key and comparing it with each key of the batch in turn.
func TestKeyIndex(t *testing.T) {
	t.Parallel()
	ids := confusableIDs()
	keys := make([]restli.Key, len(ids))
	for i, id := range ids {
		keys[i] = restli.Key{{Name: "atsCandidateId", Value: id}, {Name: "dataProvider", Value: "ATS"}, {Name: "integrationContext", Value: org}}
	}
	keys = append(keys, keys[3], nil) // a key given twice, and a slot without a key
	// linear is what keyIndex replaces: each answer key decoded and
	// compared with every key of the batch.
	linear := func(k string) int {
		find := func(k string) int {
			dk, err := restli.DecodeKey(k)
			if err != nil {
				return -1
			}
			return slices.IndexFunc(keys, func(rk restli.Key) bool { return rk != nil && rk.Equal(dk) })
		}
		if !strings.HasPrefix(k, "(") && strings.Contains(k, "+") {
			if j := find(strings.ReplaceAll(k, "+", "%20")); j >= 0 {
				return j
			}
		}
		return find(k)
	}
	var answers []string
	want := map[string]int{}
	for j, k := range keys[:len(ids)] {
		rev := slices.Clone(k)
		slices.Reverse(rev)
		for _, p := range []restli.Protocol{restli.Protocol1, restli.Protocol2} {
			for _, a := range []string{restli.EncodeKeyBody(p, k), restli.EncodeServerBodyKey(p, k), restli.EncodeKeyBody(p, rev), restli.EncodeKeyPath(p, k)} {
				answers = append(answers, a)
				if _, ok := want[a]; !ok {
					want[a] = j
				}
			}
		}
	}
	answers = append(answers, "atsCandidateId=C9&dataProvider=ATS&integrationContext="+org, "atsCandidateId=C1", "(atsCandidateId:C1)",
		"not a key", "%zz", "", "atsCandidateId=C1&dataProvider=ATS&integrationContext="+org+"&extra=1")
	x := keyIndex{keys: keys}
	for _, a := range answers {
		got, lin := x.find(a), linear(a)
		if got != lin {
			t.Errorf("find(%q) = %d, decoding and comparing in turn finds %d", a, got, lin)
		}
		if w, ok := want[a]; ok && got != w {
			t.Errorf("find(%q) = %d (%q), want %d (%q)", a, got, at(ids, got), w, ids[w])
		}
	}
	if got := x.find(restli.EncodeKeyBody(restli.Protocol1, keys[3])); got != 3 {
		t.Errorf("a key given twice: found at %d, want its first position 3", got)
	}
	// Two keys whose fields hash alike: the index keeps the first, and the
	// second is still found.
	x.pos[maphash.Bytes(keyHashSeed, canonicalKey(nil, keys[1]))] = 0
	for _, j := range []int{0, 1, 2} {
		if got := x.find(restli.EncodeServerBodyKey(restli.Protocol1, keys[j])); got != j {
			t.Errorf("with a hash shared by keys 0 and 1: key %d found at %d", j, got)
		}
	}
}

// A batch answer's key spelt as sent is found out of order, also when its
// hash is another key's.
func TestBatchScratchFindSent(t *testing.T) {
	t.Parallel()
	ids := confusableIDs()[:20]
	es := make([]entry[string], len(ids))
	idx := make([]int, len(ids))
	for i, id := range ids {
		es[i].rkey, idx[i] = restli.Key{{Name: "atsCandidateId", Value: id}, {Name: "integrationContext", Value: org}}, i
	}
	var sc batchScratch
	batchKeys(&sc, restli.Protocol1, es, idx)
	if j, ok := sc.find(sc.bodyKey(5)); !ok || j != 5 {
		t.Fatalf("key 5 out of order: found %d, %v", j, ok)
	}
	sc.sent[maphash.Bytes(keyHashSeed, sc.bodyKey(7))] = 6
	for _, j := range []int{7, 6, 0} {
		if got, ok := sc.find(sc.bodyKey(j)); !ok || got != j {
			t.Errorf("with a hash shared by keys 6 and 7: key %d found at %d, %v", j, got, ok)
		}
	}
}

// at returns ids[j], or "" when j is out of range.
func at(ids []string, j int) string {
	if j < 0 || j >= len(ids) {
		return ""
	}
	return ids[j]
}

// canonicalKey spells two keys alike exactly when they have the same
// fields.
func TestCanonicalKey(t *testing.T) {
	t.Parallel()
	keys := []restli.Key{
		{{Name: "a", Value: "x"}, {Name: "b", Value: "y"}},
		{{Name: "b", Value: "y"}, {Name: "a", Value: "x"}},
		{{Name: "a", Value: "xb"}, {Name: "", Value: "y"}},
		{{Name: "a", Value: "x"}, {Name: "by", Value: ""}},
		{{Name: "a", Value: "x1:b"}},
		{{Name: "a", Value: "x"}, {Name: "a", Value: "y"}},
		{{Name: "a", Value: "y"}, {Name: "a", Value: "x"}},
		{{Name: "a", Value: "x"}, {Name: "a", Value: "x"}},
		{{Name: "a", Value: "x"}},
		{},
	}
	for _, k := range keys {
		for _, o := range keys {
			same := string(canonicalKey(nil, k)) == string(canonicalKey(nil, o))
			if same != k.Equal(o) {
				t.Errorf("%q and %q: canonical forms equal %v, keys equal %v", k, o, same, k.Equal(o))
			}
		}
	}
}
