package rsctest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rscgo/rscgo/rsc/rsctest"
)

// Start the fake, get a customer token with plain net/http, upsert one
// candidate and read back what LinkedIn stored.
func Example() {
	srv := rsctest.NewServer()
	defer srv.Close()
	cust := srv.AddCustomer(rsctest.CustomerSpec{
		ClientID: "acme-client", ClientSecret: "acme-secret",
		Organization: "urn:li:organization:1000", Contracts: []string{"urn:li:contract:5000"},
	})

	resp, err := http.PostForm(srv.TokenURL(), url.Values{
		"grant_type": {"client_credentials"}, "client_id": {cust.ClientID}, "client_secret": {cust.ClientSecret},
	})
	if err != nil {
		panic(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()

	key := "atsCandidateId=C1&dataProvider=ATS&integrationContext=urn:li:organization:1000"
	body := `{"entities":{"` + key + `":{"atsCreatedAt":1700000000000,"atsLastModifiedAt":1700000000000,
	  "firstName":"Ann","lastName":"Lee","emailAddresses":["ann@example.com"],"addresses":[],"phoneNumbers":[],
	  "externalProfileUrl":"https://ats.example.com/c/C1"}}}`
	req, _ := http.NewRequest(http.MethodPut,
		srv.URL()+"/v2/atsCandidates?ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext=urn:li:organization:1000",
		strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("X-RestLi-Method", "batch_update")
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()

	c, _ := cust.Candidate("C1")
	fmt.Println(tok.ExpiresIn, resp.StatusCode, c.Fields["firstName"])
	// Output: 1800 200 Ann
}

// New returns the error of an invalid option, naming the option and its
// rule, where NewServer would panic with it.
func ExampleNew() {
	_, err := rsctest.New(rsctest.WithoutListener(), rsctest.WithTokenTTL(0))
	fmt.Println(err)
	srv, err := rsctest.New(rsctest.WithoutListener(), rsctest.WithTokenTTL(time.Hour))
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	fmt.Println(srv.URL())
	// Output:
	// rsctest: WithTokenTTL: 0s: must be a positive whole number of seconds
	// http://rsctest.invalid
}
