package rsctest

// candidateNoteKind: atsCandidates/{key}/notes?ids=... (v2) and
// candidateNotes (rest, keys externalCandidateId+externalNoteId+integrationContext).
var candidateNoteKind = newSubKind("candidateNotes", []string{"integrationContext", "atsCandidateId"}, "noteId", noteSchema, validateNote)

// applicationNoteKind: atsApplications/{key}/notes?ids=... (v2) and
// applicationNotes (rest, keys externalJobApplicationId+externalNoteId+integrationContext).
var applicationNoteKind = newSubKind("applicationNotes", applicationKey, "noteId", noteSchema, validateNote)

type noteDoc struct {
	AtsCreatedAt *int64  `json:"atsCreatedAt"`
	Author       *actor  `json:"author"`
	Note         *string `json:"note"`
}

// validateNote: every note field is optional; types, a positive timestamp
// and a complete author are checked.
func validateNote(c *call, r *record) *entityError {
	_, e := decodeActed(c, r, "author", func(d *noteDoc) (*int64, *actor) { return d.AtsCreatedAt, d.Author })
	return e
}
