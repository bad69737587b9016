package tracker

// This file is the whole mapping from Tracker's tables to the records
// LinkedIn takes (docs/linkedin-api.md §7). Each stream selects the columns
// listed here, scans them into a row struct, and converts the row into the
// record. A vendor adapting another ATS changes this file and the SQL;
// package sync/sqlsource does the keyset paging.

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
	"github.com/rscgo/rscgo/sync/sqlsource"
)

// ---- jobs → rsc.JobPosting (simpleJobPostings) ----

const jobColumns = `j.id, j.title, j.description, j.skills, j.location, j.workplace_type,
	j.employment_status, j.experience_level, j.category, j.job_code, j.public, j.status,
	j.listed_at, j.modified_at,
	COALESCE(u.email, ''), COALESCE(u.first_name, ''), COALESCE(u.last_name, '')`

const jobFrom = `jobs j LEFT JOIN users u ON u.id = j.owner_id`

type jobRow struct {
	id, title, description, skills, location, workplace, employment, experience string
	category, code                                                              string
	public                                                                      bool
	status                                                                      string
	listedAt, modifiedAt                                                        int64
	ownerEmail, ownerFirst, ownerLast                                           string
}

// job reads one row of jobColumns.
func (s *Source) job(row *sqlsource.Row) (rscsync.Job, error) {
	var r jobRow
	err := row.Scan(&r.id, &r.title, &r.description, &r.skills, &r.location, &r.workplace,
		&r.employment, &r.experience, &r.category, &r.code, &r.public, &r.status,
		&r.listedAt, &r.modifiedAt, &r.ownerEmail, &r.ownerFirst, &r.ownerLast)
	return s.toJob(r), err
}

func (s *Source) toJob(r jobRow) rscsync.Job {
	p := rsc.JobPosting{
		ExternalJobPostingID:      r.id,
		IntegrationContext:        s.cfg.IntegrationContext,
		CompanyApplyURL:           s.cfg.BaseURL + "/jobs/" + r.id + "/apply",
		Title:                     r.title,
		Description:               r.description,
		SkillsDescription:         r.skills,
		ListedAt:                  rsc.EpochMillis(r.listedAt),
		Location:                  r.location,
		PosterEmail:               r.ownerEmail,            // the job's owner posts it (docs/linkedin-api.md §7.1)
		Availability:              rsc.AvailabilityPrivate, // RSC-102: PUBLIC only when the customer chose it
		CompanyJobCode:            r.code,
		EmploymentStatus:          r.employment,
		ExperienceLevel:           r.experience,
		RequisitionOwnerEmail:     r.ownerEmail,
		RequisitionOwnerFirstName: r.ownerFirst,
		RequisitionOwnerLastName:  r.ownerLast,
	}
	if r.public {
		p.Availability = rsc.AvailabilityPublic
	}
	if r.category != "" {
		p.Categories = []string{r.category}
	}
	if r.workplace != "" {
		p.WorkplaceTypes = []string{r.workplace}
	}
	return rscsync.Job{Posting: p, Closed: r.status == "closed", ModifiedAt: fromMS(r.modifiedAt)}
}

// ---- candidates → rsc.Candidate (atsCandidates) ----

const candidateColumns = `c.id, c.prefix, c.first_name, c.middle_initial, c.last_name, c.suffix,
	c.email, c.phone, c.phone_ext, c.address_line1, c.city, c.region, c.region_type,
	c.postal_code, c.country, c.current_company, c.current_title, c.do_not_contact,
	COALESCE(c.linkedin_profile_url, ''), c.created_at, c.modified_at`

const candidateFrom = `candidates c`

type candidateRow struct {
	id, prefix, first, middle, last, suffix              string
	email, phone, phoneExt                               string
	line1, city, region, regionType, postalCode, country string
	company, title                                       string
	doNotContact                                         bool
	linkedInURL                                          string
	createdAt, modifiedAt                                int64
}

// candidate reads one row of candidateColumns.
func (s *Source) candidate(row *sqlsource.Row) (rscsync.Candidate, error) {
	var r candidateRow
	err := row.Scan(&r.id, &r.prefix, &r.first, &r.middle, &r.last, &r.suffix,
		&r.email, &r.phone, &r.phoneExt, &r.line1, &r.city, &r.region, &r.regionType,
		&r.postalCode, &r.country, &r.company, &r.title, &r.doNotContact,
		&r.linkedInURL, &r.createdAt, &r.modifiedAt)
	return s.toCandidate(r), err
}

func (s *Source) toCandidate(r candidateRow) rscsync.Candidate {
	c := rsc.Candidate{
		Key:                s.candidateKey(r.id),
		FirstName:          r.first,
		LastName:           r.last,
		MiddleInitial:      r.middle,
		Prefix:             r.prefix,
		Suffix:             r.suffix,
		PhoneNumbers:       []rsc.PhoneNumber{},
		Addresses:          []rsc.Address{},
		CurrentCompanyName: r.company,
		CurrentJobTitle:    r.title,
		ExternalProfileURL: s.cfg.BaseURL + "/candidates/" + r.id,
		LinkedInProfileURL: r.linkedInURL,
		DoNotContact:       r.doNotContact,
		CreatedAt:          rsc.EpochMillis(r.createdAt),
		LastModifiedAt:     rsc.EpochMillis(r.modifiedAt),
	}
	if r.email != "" {
		c.EmailAddresses = []string{r.email}
	}
	if r.phone != "" {
		c.PhoneNumbers = append(c.PhoneNumbers, rsc.PhoneNumber{Number: r.phone, Extension: r.phoneExt})
	}
	if r.city != "" || r.line1 != "" {
		c.Addresses = append(c.Addresses, rsc.Address{
			Line1: r.line1, City: r.city, GeographicArea: r.region,
			GeographicAreaType: r.regionType, PostalCode: r.postalCode, Country: r.country,
		})
	}
	return rscsync.Candidate{Record: c, ModifiedAt: fromMS(r.modifiedAt)}
}

// ---- placements (+ placement_stages) → rsc.Application and []rsc.Stage ----

const placementColumns = `p.id, p.candidate_id, p.job_id, j.title, c.email, c.first_name, c.last_name,
	p.source, p.disposition_reason, p.created_at, p.modified_at`

const placementFrom = `placements p JOIN candidates c ON c.id = p.candidate_id JOIN jobs j ON j.id = p.job_id`

type placementRow struct {
	id, candidateID, jobID, jobTitle, email, first, last, source, disposition string
	createdAt, modifiedAt                                                     int64
}

func scanPlacement(row *sqlsource.Row) (placementRow, error) {
	var r placementRow
	err := row.Scan(&r.id, &r.candidateID, &r.jobID, &r.jobTitle, &r.email, &r.first, &r.last,
		&r.source, &r.disposition, &r.createdAt, &r.modifiedAt)
	return r, err
}

func (s *Source) toPlacement(r placementRow, stages []rsc.Stage) rscsync.Application {
	return rscsync.Application{
		Record: rsc.Application{
			Key:               rsc.ApplicationKey{IntegrationContext: s.cfg.IntegrationContext, ApplicationID: r.id},
			CandidateID:       r.candidateID,
			JobPostingID:      r.jobID, // the job's externalJobPostingId
			JobPostingName:    r.jobTitle,
			CandidateEmail:    r.email,
			FirstName:         r.first,
			LastName:          r.last,
			Source:            r.source,
			DispositionReason: r.disposition,
			CreatedAt:         rsc.EpochMillis(r.createdAt),
			LastModifiedAt:    rsc.EpochMillis(r.modifiedAt),
		},
		Stages:     stages,
		ModifiedAt: fromMS(r.modifiedAt),
	}
}

// ---- activities → candidate notes, application notes, interview feedback ----

// syncedActivityKinds are the activities Tracker sends to LinkedIn. InMail,
// prospect notes and notices came from LinkedIn and are never sent back.
const syncedActivityKinds = `a.kind IN ('candidate_note', 'placement_note', 'interview_feedback')`

const activityColumns = `a.id, a.kind, COALESCE(a.candidate_id, ''), COALESCE(a.placement_id, ''),
	a.body, a.interview_type, a.evaluations,
	COALESCE(u.first_name, ''), COALESCE(u.last_name, ''), a.created_at, a.modified_at`

const activityFrom = `activities a LEFT JOIN users u ON u.id = a.author_id`

type activityRow struct {
	id, kind, candidateID, placementID, body, interviewType, evaluations string
	authorFirst, authorLast                                              string
	createdAt, modifiedAt                                                int64
}

// activity reads one row of activityColumns.
func (s *Source) activity(row *sqlsource.Row) (rscsync.Activity, error) {
	var r activityRow
	if err := row.Scan(&r.id, &r.kind, &r.candidateID, &r.placementID, &r.body, &r.interviewType,
		&r.evaluations, &r.authorFirst, &r.authorLast, &r.createdAt, &r.modifiedAt); err != nil {
		return rscsync.Activity{}, err
	}
	return s.toActivity(r)
}

func (s *Source) toActivity(r activityRow) (rscsync.Activity, error) {
	var author *rsc.Actor
	if r.authorFirst != "" || r.authorLast != "" {
		author = &rsc.Actor{FirstName: r.authorFirst, LastName: r.authorLast}
	}
	a := rscsync.Activity{ModifiedAt: fromMS(r.modifiedAt)}
	switch r.kind {
	case "candidate_note":
		a.Kind = rscsync.KindCandidateNote
		a.Candidate = s.candidateKey(r.candidateID)
		a.Note = rsc.Note{ID: r.id, Note: r.body, Author: author,
			CreatedAt: rsc.EpochMillis(r.createdAt), LastModifiedAt: rsc.EpochMillis(r.modifiedAt)}
	case "placement_note":
		a.Kind = rscsync.KindApplicationNote
		a.Application = s.applicationKey(r.placementID)
		a.Note = rsc.Note{ID: r.id, Note: r.body, Author: author,
			CreatedAt: rsc.EpochMillis(r.createdAt), LastModifiedAt: rsc.EpochMillis(r.modifiedAt)}
	case "interview_feedback":
		a.Kind = rscsync.KindInterviewFeedback
		a.Application = s.applicationKey(r.placementID)
		a.Feedback = rsc.InterviewFeedback{ID: r.id, Interviewer: author, Feedback: r.body,
			InterviewType: r.interviewType, CreatedAt: rsc.EpochMillis(r.createdAt)}
		if r.evaluations != "" {
			if err := json.Unmarshal([]byte(r.evaluations), &a.Feedback.Evaluations); err != nil {
				return a, fmt.Errorf("tracker: activity %s: evaluations: %w", r.id, err)
			}
		}
	default:
		return a, fmt.Errorf("tracker: activity %s: kind %q is not synced", r.id, r.kind)
	}
	return a, nil
}

// ---- deletions (tombstones) → sync.Deletion ----

const deletionColumns = `d.id, d.kind, d.parent_id, d.deleted_at, d.position`

const deletionFrom = `deletions d`

type deletionRow struct {
	id, kind, parent string
	deletedAt        int64
	position         string // kind:id, the stream's tie-break and Cursor.ID
}

// deletion reads one row of deletionColumns.
func (s *Source) deletion(row *sqlsource.Row) (rscsync.Deletion, error) {
	var r deletionRow
	err := row.Scan(&r.id, &r.kind, &r.parent, &r.deletedAt, &r.position)
	return s.toDeletion(r), err
}

func (s *Source) toDeletion(r deletionRow) rscsync.Deletion {
	return rscsync.Deletion{
		Kind:        rscsync.EntityKind(r.kind),
		ID:          r.id,
		Parent:      r.parent,
		DeletedAt:   fromMS(r.deletedAt),
		Integration: s.cfg.IntegrationContext,
	}
}

// ---- keys ----

func (s *Source) candidateKey(id string) rsc.CandidateKey {
	return rsc.CandidateKey{IntegrationContext: s.cfg.IntegrationContext, CandidateID: id}
}

func (s *Source) applicationKey(id string) rsc.ApplicationKey {
	return rsc.ApplicationKey{IntegrationContext: s.cfg.IntegrationContext, ApplicationID: id}
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
