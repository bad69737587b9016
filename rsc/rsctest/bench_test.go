package rsctest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rscgo/rscgo/rsc/rsctest"
)

// BenchmarkIngestCandidates100 measures one 100-candidate batch_update per
// op, tunnelled as multipart/mixed as the SDK sends it, through Transport().
func BenchmarkIngestCandidates100(b *testing.B) {
	srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithLimits(rsctest.Limits{Disabled: true}), rsctest.WithRequestLogLimit(-1))
	defer srv.Close()
	cu := srv.AddCustomer(rsctest.CustomerSpec{ClientID: "a", ClientSecret: "b", Organization: org})
	hc := srv.Client()
	resp, err := hc.PostForm(srv.TokenURL(), url.Values{"grant_type": {"client_credentials"}, "client_id": {"a"}, "client_secret": {"b"}})
	if err != nil {
		b.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()

	ids, ents := candidateBatch(100, "CAND-%03d", func(i int, id string) map[string]any {
		return candidate("Ann"+id, fmt.Sprintf("ann%d@example.com", i))
	})
	q := candIDsN(ids)
	j, _ := json.Marshal(map[string]any{"entities": ents})
	const boundary = "rsctestboundary"
	body := []byte("--" + boundary + "\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n" + q + "\r\n--" + boundary +
		"\r\nContent-Type: application/json\r\n\r\n" + string(j) + "\r\n--" + boundary + "--")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest("POST", srv.URL()+"/v2/atsCandidates", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("X-HTTP-Method-Override", "PUT")
		req.Header.Set("X-RestLi-Method", "batch_update")
		req.Header.Set("Content-Type", "multipart/mixed; boundary="+boundary)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(out), `"errors":{}`) {
			b.Fatalf("%d %s", resp.StatusCode, out)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "records/s")
	if len(cu.Candidates()) != 100 {
		b.Fatal("not stored")
	}
}
