package tracker

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"
)

// GenerateOptions sizes and seeds the synthetic data.
type GenerateOptions struct {
	// Candidates is the number of candidates (default 1000). The other
	// tables scale with it: about Candidates/20 jobs, Candidates/2
	// placements with 1-5 stages each, Candidates activities, and
	// Candidates/400 users (at least 5).
	Candidates int
	// Seed makes the data deterministic: the same Seed, Now and options
	// give the same rows.
	Seed uint64
	// Now is the end of the generated history (default: the database's
	// clock, WithClock). Every time lies in (Now-Span, Now].
	Now time.Time
	// Span is how far back the history goes (default 3 years, so that a
	// two-year historical sync visibly leaves the oldest records out).
	Span time.Duration
	// Org is the customer's organization URN (urn:li:organization:{id}),
	// stored as the "org" setting (default urn:li:organization:1000).
	Org string
	// BadRecords is the fraction (0 to 1) of records that break a LinkedIn
	// rule, for demos of dead letters: candidates get an email that is not
	// X@X.X, jobs a description shorter than 100 characters.
	BadRecords float64
	// BatchSize is the number of rows inserted per transaction (default 5000).
	BatchSize int
}

// GenerateResult counts what Generate inserted.
type GenerateResult struct {
	Users, Jobs, Candidates, Placements, Stages, Activities int
	// BadCandidates and BadJobs count the deliberately invalid records.
	BadCandidates, BadJobs int
}

// ErrNotEmpty is returned by Generate when the database already holds
// candidates.
var ErrNotEmpty = errors.New("tracker: database is not empty")

const (
	msHour = int64(time.Hour / time.Millisecond)
	msDay  = 24 * msHour
)

// Generate fills an empty database with realistic synthetic data spanning
// opts.Span (3 years by default): recruiters, jobs (mostly closed when
// old, mostly open when recent), candidates, placements moving through
// "Shortlisted", "Submitted", "Phone Screen", "Onsite Interview",
// "Offer Extended", "Offer Accepted", "Placed" or ending "Rejected",
// candidate and placement notes and interview feedback. Rows are inserted
// in transactions of opts.BatchSize rows.
func Generate(ctx context.Context, db *DB, opts GenerateOptions) (GenerateResult, error) {
	if opts.Candidates <= 0 {
		opts.Candidates = 1000
	}
	if opts.Now.IsZero() {
		opts.Now = db.now()
	}
	if opts.Span <= 0 {
		opts.Span = 3 * 365 * 24 * time.Hour
	}
	if opts.Org == "" {
		opts.Org = "urn:li:organization:1000"
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 5000
	}
	if opts.BadRecords < 0 || opts.BadRecords > 1 {
		return GenerateResult{}, fmt.Errorf("tracker: BadRecords %v is not a fraction", opts.BadRecords)
	}
	var count int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM candidates`).Scan(&count); err != nil {
		return GenerateResult{}, fmt.Errorf("tracker: generate: %w", err)
	}
	if count > 0 {
		return GenerateResult{}, ErrNotEmpty
	}
	if err := db.SetSetting(ctx, "org", opts.Org); err != nil {
		return GenerateResult{}, err
	}
	g := &generator{
		r:     rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		opts:  opts,
		now:   opts.Now.UnixMilli(),
		start: opts.Now.Add(-opts.Span).UnixMilli(),
		b:     &batcher{ctx: ctx, db: db.sql, size: opts.BatchSize, stmts: map[string]*sql.Stmt{}},
	}
	err := g.run()
	if err == nil {
		err = g.b.flush()
	}
	if err != nil {
		g.b.abort()
		return GenerateResult{}, fmt.Errorf("tracker: generate: %w", err)
	}
	return g.res, nil
}

type generator struct {
	r          *rand.Rand
	opts       GenerateOptions
	now, start int64
	b          *batcher
	res        GenerateResult

	users       []string
	jobStart    []int64 // listed_at
	jobEnd      []int64 // closed_at, or now for open jobs
	jobClient   []string
	candCreated []int64 // ascending: candidate ids are in creation order
	candFirst   []uint8 // index into firstNames
	placements  []genPlacement
	interviews  []genInterview
}

type genPlacement struct {
	first        uint8 // candidate's first name
	created, end int64
}

type genInterview struct {
	placement int
	at        int64
	kind      string // PHONE_SCREEN or ONSITE
}

func (g *generator) run() error {
	for _, step := range []func() error{g.genUsers, g.genJobs, g.genCandidates, g.genPlacements, g.genActivities} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) genUsers() error {
	n := min(max(5, g.opts.Candidates/400), 200)
	for i := range n {
		id := formatID(prefixUser, int64(i+1))
		first, last := pick(g.r, firstNames), pick(g.r, lastNames)
		email := emailLocal(first, last) + "@agency.example.com"
		var person any // most recruiters have a LinkedIn Recruiter seat
		if g.r.Float64() < 0.8 {
			person = "urn:li:person:" + g.token(10)
		}
		created := g.start - int64(g.r.IntN(365))*msDay
		if err := g.b.exec(`INSERT INTO users (id, first_name, last_name, email, linkedin_person_urn, created_at, modified_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, first, last, email, person, created, created); err != nil {
			return err
		}
		g.users = append(g.users, id)
	}
	g.res.Users = n
	return nil
}

func (g *generator) genJobs() error {
	n := max(1, g.opts.Candidates/20)
	created := g.sortedTimes(n, g.start, g.now-msDay)
	for i, c := range created {
		id := formatID(prefixJob, int64(i+1))
		tpl := pick(g.r, jobTemplates)
		sen := g.seniority()
		title := sen.prefix + tpl.title
		if sen.prefix == "Head of " {
			title = "Head of " + tpl.dept
		}
		ci := pick(g.r, cities)
		location := ci.name + ", " + ci.regionName + ", " + ci.countryName
		client := pick(g.r, companies)
		workplace := pick(g.r, workplaceTypes)
		desc := g.description(tpl, title, client, ci, workplace)
		// The newest job stays open and valid, so that however few jobs
		// there are the demo has one to export a member to.
		newest := i == n-1
		if g.r.Float64() < g.opts.BadRecords && !newest {
			desc = "Role details to follow - call the desk." // < 100 characters: LinkedIn refuses it
			g.res.BadJobs++
		}
		skills := "<ul><li>" + strings.Join(tpl.skills, "</li><li>") + "</li></ul>"
		code := fmt.Sprintf("TRK-%d-%04d", time.UnixMilli(c).UTC().Year(), i+1)
		listed := min(c+int64(g.r.IntN(72))*msHour, g.now)
		status, closed, end := "open", any(nil), g.now
		age := g.now - listed
		pClosed := 0.1
		if age > 90*msDay {
			pClosed = 0.9
		}
		if g.r.Float64() < pClosed {
			at := listed + 14*msDay + g.r.Int64N(140*msDay)
			if at < g.now && !newest {
				status, closed, end = "closed", at, at
			}
		}
		modified := listed
		if status == "closed" {
			modified = end
		} else if g.r.Float64() < 0.4 {
			modified = listed + g.r.Int64N(g.now-listed+1)
		}
		public := g.r.Float64() < 0.3
		if err := g.b.exec(`INSERT INTO jobs (id, title, description, skills, location, workplace_type,
			employment_status, experience_level, category, job_code, client_company, public, status, owner_id,
			listed_at, closed_at, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, title, desc, skills, location, workplace, pick(g.r, employmentStatuses), sen.level,
			tpl.category, code, client, public, status, pick(g.r, g.users), listed, closed, c, modified); err != nil {
			return err
		}
		g.jobStart = append(g.jobStart, listed)
		g.jobEnd = append(g.jobEnd, end)
		g.jobClient = append(g.jobClient, client)
	}
	g.res.Jobs = n
	return nil
}

func (g *generator) description(tpl jobTemplate, title, client string, ci city, workplace string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<p>Our client, %s, is %s. They are hiring a <b>%s</b> to join the %s team in %s (%s).</p>",
		client, pick(g.r, clientBlurbs), title, tpl.dept, ci.name, strings.ToLower(workplace))
	b.WriteString("<p><b>What you will do</b></p><ul>")
	for _, d := range tpl.duties {
		b.WriteString("<li>" + capitalize(d) + "</li>")
	}
	b.WriteString("</ul><p><b>What you bring</b></p><ul>")
	for _, s := range tpl.skills {
		b.WriteString("<li>Experience with " + s + "</li>")
	}
	b.WriteString("</ul><p>" + pick(g.r, benefits) + "</p>")
	return b.String()
}

func (g *generator) genCandidates() error {
	n := g.opts.Candidates
	g.candCreated = g.sortedTimes(n, g.start, g.now)
	g.candFirst = make([]uint8, n)
	for i, created := range g.candCreated {
		id := formatID(prefixCandidate, int64(i+1))
		fi := g.r.IntN(len(firstNames))
		g.candFirst[i] = uint8(fi)
		first, last := firstNames[fi], pick(g.r, lastNames)
		var prefix, middle, suffix string
		if g.r.Float64() < 0.1 {
			prefix = pick(g.r, namePrefixes)
		}
		if g.r.Float64() < 0.3 {
			middle = string(rune('A' + g.r.IntN(26)))
		}
		if g.r.Float64() < 0.02 {
			suffix = pick(g.r, nameSuffixes)
		}
		local := emailLocal(first, last)
		if g.r.Float64() < 0.7 {
			local += fmt.Sprint(g.r.IntN(9990) + 10)
		}
		email := local + "@" + pick(g.r, emailDomains)
		if g.r.Float64() < g.opts.BadRecords {
			if g.r.IntN(2) == 0 {
				email = local + "@" + strings.SplitN(pick(g.r, emailDomains), ".", 2)[0] // no dot after @
			} else {
				email = strings.Replace(email, "@", ".", 1) // no @
			}
			g.res.BadCandidates++
		}
		ci := pick(g.r, cities)
		var phone, ext string
		if g.r.Float64() < 0.85 {
			phone = g.pattern(ci.phone)
			if g.r.Float64() < 0.03 {
				ext = fmt.Sprint(100 + g.r.IntN(900))
			}
		}
		var line1, cityName, region, regionType, postal, country string
		switch u := g.r.Float64(); {
		case u < 0.7:
			line1 = fmt.Sprintf("%d %s", 1+g.r.IntN(250), pick(g.r, ci.streets))
			postal = g.pattern(ci.postal)
			fallthrough
		case u < 0.9:
			cityName, region, regionType, country = ci.name, ci.region, ci.regionType, ci.country
		}
		var company, title string
		if g.r.Float64() < 0.8 {
			company = pick(g.r, companies)
			tpl := pick(g.r, jobTemplates)
			title = g.seniority().prefix + tpl.title
		}
		modified := created
		if g.r.Float64() < 0.45 {
			u := g.r.Float64()
			modified = created + int64(float64(g.now-created)*u*u)
		}
		if err := g.b.exec(`INSERT INTO candidates (id, prefix, first_name, middle_initial, last_name, suffix,
			email, phone, phone_ext, address_line1, city, region, region_type, postal_code, country,
			current_company, current_title, source, do_not_contact, owner_id, created_at, modified_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, prefix, first, middle, last, suffix, email, phone, ext, line1, cityName, region, regionType,
			postal, country, company, title, pick(g.r, candidateSources), g.r.Float64() < 0.02,
			pick(g.r, g.users), created, modified); err != nil {
			return err
		}
	}
	g.res.Candidates = n
	return nil
}

func (g *generator) genPlacements() error {
	n := g.opts.Candidates / 2
	used := make(map[[2]int]bool, n)
	stageSeq := int64(0)
	for range n {
		job, cand, at, ok := g.pickShortlisting(used)
		if !ok {
			continue
		}
		used[[2]int{job, cand}] = true
		pIdx := len(g.placements)
		id := formatID(prefixPlacement, int64(pIdx+1))
		stages := g.stagePath()
		limit := min(g.now, g.jobEnd[job]+14*msDay)
		t := at
		times := make([]int64, 0, len(stages))
		for i := range stages {
			if i > 0 {
				t += msDay + g.r.Int64N(9*msDay)
			}
			if t > limit {
				break
			}
			times = append(times, t)
		}
		stages = stages[:len(times)]
		last := times[len(times)-1]
		current := stages[len(stages)-1]
		var disposition string
		switch current {
		case "Rejected":
			disposition = pick(g.r, rejectionReasons)
		case "Placed":
			disposition = "Hired"
		}
		modified := last
		if g.r.Float64() < 0.1 {
			modified = min(g.now, last+g.r.Int64N(60*msDay))
		}
		source := pick(g.r, candidateSources)
		if err := g.b.exec(`INSERT INTO placements (id, candidate_id, job_id, source, current_stage,
			disposition_reason, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			id, formatID(prefixCandidate, int64(cand+1)), formatID(prefixJob, int64(job+1)), source,
			current, disposition, at, modified); err != nil {
			return err
		}
		for i, st := range stages {
			stageSeq++
			if err := g.b.exec(`INSERT INTO placement_stages (id, placement_id, stage, created_at) VALUES (?, ?, ?, ?)`,
				formatID(prefixStage, stageSeq), id, st, times[i]); err != nil {
				return err
			}
			switch st {
			case "Phone Screen":
				g.interviews = append(g.interviews, genInterview{pIdx, times[i], "PHONE_SCREEN"})
			case "Onsite Interview":
				g.interviews = append(g.interviews, genInterview{pIdx, times[i], "ONSITE"})
			}
		}
		g.placements = append(g.placements, genPlacement{first: g.candFirst[cand], created: at, end: max(modified, last)})
	}
	g.res.Placements = len(g.placements)
	g.res.Stages = int(stageSeq)
	return nil
}

// pickShortlisting picks a job, a shortlist time in the first 80% of its
// life, and a candidate who existed then (recent ones more often), retrying
// on a pair already used; ok is false when every try clashed.
func (g *generator) pickShortlisting(used map[[2]int]bool) (job, cand int, at int64, ok bool) {
	for try := 0; try < 8 && !ok; try++ {
		job = g.r.IntN(len(g.jobStart))
		span := g.jobEnd[job] - g.jobStart[job]
		at = g.jobStart[job] + int64(float64(span)*0.8*g.r.Float64())
		k := sort.Search(len(g.candCreated), func(i int) bool { return g.candCreated[i] > at })
		if k == 0 {
			continue
		}
		u := g.r.Float64()
		cand = k - 1 - int(float64(k)*u*u)
		ok = !used[[2]int{job, cand}]
	}
	return job, cand, at, ok
}

// stagePath returns the stages a placement goes through: 1-5 of them,
// a prefix of the pipeline, often ending in "Rejected", or the hired path.
func (g *generator) stagePath() []string {
	var k int
	switch u := g.r.Float64(); {
	case u < 0.30:
		k = 1
	case u < 0.55:
		k = 2
	case u < 0.75:
		k = 3
	case u < 0.90:
		k = 4
	default:
		k = 5
	}
	rejected := k > 1 && g.r.Float64() < 0.5
	if k == 5 && !rejected {
		return slices.Clone(hiredPath)
	}
	path := slices.Clone(pipeline[:k])
	if rejected {
		path[k-1] = "Rejected"
	}
	return path
}

func (g *generator) genActivities() error {
	n := g.opts.Candidates
	for i := range n {
		id := formatID(prefixActivity, int64(i+1))
		author := pick(g.r, g.users)
		u := g.r.Float64()
		var kind, cand, place, body, itype, evals string
		var created int64
		switch {
		case u < 0.15 && len(g.interviews) > 0:
			iv := pick(g.r, g.interviews)
			kind, place, itype = "interview_feedback", formatID(prefixPlacement, int64(iv.placement+1)), iv.kind
			created = min(g.now, iv.at+int64(1+g.r.IntN(48))*msHour)
			body = pick(g.r, feedbackTexts)
			var ev []map[string]string
			for _, j := range g.r.Perm(len(evaluationAttributes))[:2+g.r.IntN(3)] {
				ev = append(ev, map[string]string{"attribute": evaluationAttributes[j], "result": fmt.Sprintf("%d/5", 2+g.r.IntN(4))})
			}
			b, err := json.Marshal(ev)
			if err != nil {
				return err
			}
			evals = string(b)
		case u < 0.50 && len(g.placements) > 0:
			pi := g.r.IntN(len(g.placements))
			p := g.placements[pi]
			kind, place = "placement_note", formatID(prefixPlacement, int64(pi+1))
			created = min(g.now, p.created+g.r.Int64N(p.end-p.created+14*msDay))
			body = fillNote(pick(g.r, placementNotes), firstNames[p.first], 2+g.r.IntN(10))
		default:
			ci := g.r.IntN(len(g.candCreated))
			kind, cand = "candidate_note", formatID(prefixCandidate, int64(ci+1))
			c := g.candCreated[ci]
			created = c + g.r.Int64N(g.now-c+1)
			body = fillNote(pick(g.r, candidateNotes), firstNames[g.candFirst[ci]], 2+g.r.IntN(10))
		}
		modified := created
		if g.r.Float64() < 0.1 {
			modified = min(g.now, created+g.r.Int64N(30*msDay))
		}
		var candArg, placeArg any
		if cand != "" {
			candArg = cand
		}
		if place != "" {
			placeArg = place
		}
		if err := g.b.exec(`INSERT INTO activities (id, kind, candidate_id, placement_id, author_id, body,
			interview_type, evaluations, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, kind, candArg, placeArg, author, body, itype, evals, created, modified); err != nil {
			return err
		}
	}
	g.res.Activities = n
	return nil
}

// sortedTimes returns n uniform random times in [from, to), ascending.
func (g *generator) sortedTimes(n int, from, to int64) []int64 {
	ts := make([]int64, n)
	for i := range ts {
		ts[i] = from + g.r.Int64N(max(1, to-from))
	}
	slices.Sort(ts)
	return ts
}

func (g *generator) seniority() seniority {
	total := 0
	for _, s := range seniorities {
		total += s.weight
	}
	n := g.r.IntN(total)
	for _, s := range seniorities {
		if n < s.weight {
			return s
		}
		n -= s.weight
	}
	return seniorities[0]
}

// pattern fills # with digits and @ with capital letters.
func (g *generator) pattern(p string) string {
	b := []byte(p)
	for i, c := range b {
		switch c {
		case '#':
			b[i] = byte('0' + g.r.IntN(10))
		case '@':
			b[i] = byte('A' + g.r.IntN(26))
		}
	}
	return string(b)
}

func (g *generator) token(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// emailLocal makes "first.last" from a name, keeping letters only.
func emailLocal(first, last string) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z':
				return r
			case r >= 'A' && r <= 'Z':
				return r + 'a' - 'A'
			}
			return -1
		}, s)
	}
	return clean(first) + "." + clean(last)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// fillNote fills a note template's {name} and {n}.
func fillNote(tpl, name string, n int) string {
	return strings.NewReplacer("{name}", name, "{n}", fmt.Sprint(n)).Replace(tpl)
}

// batcher inserts rows in transactions of size rows, reusing prepared
// statements within each transaction.
type batcher struct {
	ctx   context.Context
	db    *sql.DB
	size  int
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	n     int
}

func (b *batcher) exec(q string, args ...any) error {
	if b.tx == nil {
		if err := b.ctx.Err(); err != nil {
			return err
		}
		tx, err := b.db.BeginTx(b.ctx, nil)
		if err != nil {
			return err
		}
		b.tx = tx
	}
	st, ok := b.stmts[q]
	if !ok {
		var err error
		if st, err = b.tx.PrepareContext(b.ctx, q); err != nil {
			return err
		}
		b.stmts[q] = st
	}
	if _, err := st.ExecContext(b.ctx, args...); err != nil {
		return err
	}
	if b.n++; b.n >= b.size {
		return b.flush()
	}
	return nil
}

func (b *batcher) flush() error {
	if b.tx == nil {
		return nil
	}
	b.closeStmts()
	err := b.tx.Commit()
	b.tx, b.n = nil, 0
	return err
}

func (b *batcher) abort() {
	if b.tx != nil {
		b.closeStmts()
		_ = b.tx.Rollback()
		b.tx, b.n = nil, 0
	}
}

func (b *batcher) closeStmts() {
	for q, st := range b.stmts {
		st.Close()
		delete(b.stmts, q)
	}
}
