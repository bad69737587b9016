package rsctest

import ()

// aclKind: atsEntityAcls (v2) / entityAcls (rest). The key carries
// everything; the entity is {}.
var aclKind = newKind(&kind{
	table:     "acls",
	fields:    aclFields,
	schema:    keySchema(aclFields),
	validate:  validateACL,
	finder:    findACLs,
	noPartial: true,
})

// assigneeFields are the key fields of an ACL assignee, aclFields those of
// an ACL.
var assigneeFields = []string{"integrationContext", "atsEntityType", "atsEntityAclId", "assignee"}

var aclFields = []string{"integrationContext", "atsEntityType", "atsEntityId", "atsEntityAclId"}

// assigneeKind: atsEntityAclAssignees (v2) / entityAclAssignees (rest).
var assigneeKind = newKind(&kind{
	table:     "aclAssignees",
	fields:    assigneeFields,
	schema:    keySchema(assigneeFields),
	validate:  validateAssignee,
	check:     checkAssignee,
	finder:    findAssignees,
	noPartial: true,
})

// keySchema is the schema of a record whose key carries everything
// (LinkedIn's samples send {}): its key fields.
func keySchema(fields []string) schema {
	s := schema{"dataProvider": nil}
	for _, f := range fields {
		s[f] = nil
	}
	return s
}

func validateACL(c *call, r *record) *entityError {
	if t := r.fields.get("atsEntityType"); t != "JOB_POSTING" {
		return fieldErr("atsEntityType", `"`+t+`" is not an enum symbol (JOB_POSTING)`)
	}
	return nil
}

func validateAssignee(c *call, r *record) *entityError {
	if e := validateACL(c, r); e != nil {
		return e
	}
	if !personURN.MatchString(r.fields.get("assignee")) {
		return fieldErr("assignee", "must be a person URN (urn:li:person:{id})")
	}
	return nil
}

// checkAssignee enforces "no more than 10 ACLs per user".
func checkAssignee(cu *Customer, r *record) *entityError {
	max := cu.s.limits.MaxACLsPerUser
	if max <= 0 {
		return nil
	}
	acls := map[string]bool{}
	self := recKey(r.fields, assigneeFields)
	for k, o := range cu.tables["aclAssignees"].recs {
		if k != self && o.fields.get("assignee") == r.fields.get("assignee") && o.fields.get("integrationContext") == r.fields.get("integrationContext") {
			acls[o.fields.get("atsEntityAclId")] = true
		}
	}
	if !acls[r.fields.get("atsEntityAclId")] && len(acls) >= max {
		return fieldErr("assignee", "an assignee may hold at most 10 ACLs")
	}
	return nil
}

// keyElement renders a stored key as a finder element.
func (c *call) keyElement(r *record) map[string]string {
	m := make(map[string]string, len(r.fields)+1)
	for _, f := range r.fields {
		m[f.name] = f.value
	}
	if !c.rt.rest {
		m["dataProvider"] = "ATS"
	}
	return m
}

// findByCriteria serves q=criteria on the ACL resources: every given key
// field filters; integrationContext is required.
func findByCriteria(c *call, kd *kind, filters []string) {
	ctx, start, count, ok := c.contextFinder("criteria")
	if !ok {
		return
	}
	cu := c.cust
	cu.mu.Lock()
	t := cu.tables[kd.table]
	var out []map[string]string
	for _, k := range t.sortedKeys() {
		r := t.recs[k]
		match := r.fields.get("integrationContext") == ctx
		for _, f := range filters {
			if v := c.param(f); v != "" && r.fields.get(f) != v {
				match = false
			}
		}
		if match {
			out = append(out, c.keyElement(r))
		}
	}
	cu.mu.Unlock()
	page(c, out, start, count)
}

func findACLs(c *call) {
	findByCriteria(c, c.rt.kind, []string{"atsEntityId", "atsEntityType", "atsEntityAclId"})
}

func findAssignees(c *call) {
	findByCriteria(c, c.rt.kind, []string{"assignee", "atsEntityType", "atsEntityAclId"})
}

// seatCanSee reports whether the member behind a seat may see a job in the
// One-Click Export drop-down: jobs not access restricted are visible;
// JOB_POSTING_VIEWERS=ALL_PRODUCT_USERS overrides; otherwise the member must
// be an assignee of an ACL on the job. Caller holds cu.mu.
func (cu *Customer) seatCanSee(member string, j *job) bool {
	if !j.accessRestricted || cu.configValue("JOB_POSTING_VIEWERS") == "ALL_PRODUCT_USERS" {
		return true
	}
	acls := map[string]bool{}
	for _, r := range cu.tables[aclKind.table].recs {
		if r.fields.get("atsEntityId") == j.externalID && r.fields.get("atsEntityType") == "JOB_POSTING" {
			acls[r.fields.get("atsEntityAclId")] = true
		}
	}
	for _, r := range cu.tables[assigneeKind.table].recs {
		if r.fields.get("assignee") == member && acls[r.fields.get("atsEntityAclId")] {
			return true
		}
	}
	return false
}
