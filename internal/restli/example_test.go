package restli_test

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/rscgo/rscgo/internal/restli"
)

func ExampleEncodeBatchIDs() {
	keys := []restli.Key{
		{{Name: "atsCandidateId", Value: "C1"}, {Name: "dataProvider", Value: "ATS"}, {Name: "integrationContext", Value: "urn:li:organization:123"}},
		{{Name: "atsCandidateId", Value: "C2"}, {Name: "dataProvider", Value: "ATS"}, {Name: "integrationContext", Value: "urn:li:organization:123"}},
	}
	fmt.Println(restli.EncodeBatchIDs(restli.Protocol1, keys))
	fmt.Println(restli.EncodeBatchIDs(restli.Protocol2, keys))
	fmt.Println(restli.EncodeKeyBody(restli.Protocol1, keys[0]))
	// Output:
	// ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext=urn:li:organization:123&ids[1].atsCandidateId=C2&ids[1].dataProvider=ATS&ids[1].integrationContext=urn:li:organization:123
	// ids=List((atsCandidateId:C1,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A123),(atsCandidateId:C2,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A123))
	// atsCandidateId=C1&dataProvider=ATS&integrationContext=urn:li:organization:123
}

func ExampleTunnel() {
	short := "ids=A&ids=B"
	if _, ok := restli.Tunnel(http.MethodGet, short, nil, ""); !ok {
		fmt.Println("short query: sent as is")
	}

	long := "q=x&long=" + strings.Repeat("a", restli.MaxQueryLength)
	t, _ := restli.Tunnel(http.MethodPut, long, []byte(`{"entities":{}}`), "application/json")
	fmt.Println(t.Method, t.Header.Get("X-HTTP-Method-Override"))
	ct := t.Header.Get("Content-Type")
	boundary := ct[strings.Index(ct, "boundary=")+len("boundary="):]
	fmt.Println(strings.Replace(ct, boundary, "B", 1))
	body := strings.ReplaceAll(string(t.Body), boundary, "B")
	body = strings.Replace(body, long, "q=x&long=aaaa...", 1)
	fmt.Printf("%q\n", body)
	// Output:
	// short query: sent as is
	// POST PUT
	// multipart/mixed; boundary=B
	// "--B\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nq=x&long=aaaa...\r\n--B\r\nContent-Type: application/json\r\n\r\n{\"entities\":{}}\r\n--B--"
}

func ExampleDecodeKey() {
	for _, s := range []string{
		"atsCandidateId=C1&dataProvider=ATS&integrationContext=urn:li:organization:123",
		"(atsCandidateId:C1,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A123)",
		"%28atsCandidateId:C1,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A123%29",
	} {
		k, err := restli.DecodeKey(s)
		if err != nil {
			panic(err)
		}
		id, _ := k.Get("atsCandidateId")
		org, _ := k.Get("integrationContext")
		fmt.Println(id, org)
	}
	// Output:
	// C1 urn:li:organization:123
	// C1 urn:li:organization:123
	// C1 urn:li:organization:123
}
