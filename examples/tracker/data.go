package tracker

// Word lists for the synthetic data. Every email domain is a reserved
// example domain, every phone number sits in a range set aside for fiction,
// and every company is made up, so no generated record points at a real
// person or business.

var firstNames = []string{
	"Olivia", "Liam", "Amelia", "Noah", "Isla", "Oliver", "Ava", "George", "Mia", "Arthur",
	"Sophia", "Muhammad", "Grace", "Leo", "Freya", "Harry", "Emily", "Oscar", "Ella", "Jack",
	"Priya", "Arjun", "Aisha", "Omar", "Fatima", "Yusuf", "Mei", "Wei", "Hana", "Kenji",
	"Chloe", "Lucas", "Zara", "Ethan", "Maya", "Daniel", "Sofia", "James", "Charlotte", "Samuel",
	"Niamh", "Conor", "Siobhan", "Cian", "Aoife", "Rory", "Erin", "Declan", "Saoirse", "Fionn",
	"Isabella", "Mateo", "Valentina", "Diego", "Camila", "Santiago", "Lucia", "Gabriel", "Elena", "Adrian",
	"Chidi", "Amara", "Kwame", "Ngozi", "Tunde", "Adaeze", "Kofi", "Zainab", "Emeka", "Folake",
	"Hannah", "Thomas", "Rebecca", "Matthew", "Laura", "Andrew", "Rachel", "David", "Sarah", "Michael",
}

var lastNames = []string{
	"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
	"Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
	"Thomas", "Clarke", "Khan", "Ali", "Ahmed", "Shah", "Singh", "Kaur", "Gupta",
	"Sharma", "Chen", "Wang", "Li", "Zhang", "Nguyen", "Tanaka", "Kim", "Park",
	"O'Brien", "Murphy", "Kelly", "Byrne", "Ryan", "Walsh", "O'Sullivan", "McCarthy", "Doyle",
	"Garcia", "Rodriguez", "Martinez", "Lopez", "Hernandez", "Silva", "Santos", "Rossi", "Ricci",
	"Muller", "Schmidt", "Novak", "Kowalski", "Nowak", "Jensen", "Okafor", "Adeyemi", "Mensah",
	"Okonkwo", "Balogun", "Osei", "Mwangi", "Van der Berg", "De Vries", "Dubois", "Anderson", "Campbell",
	"Stewart", "MacDonald", "Scott", "Reid", "Morgan", "Hughes", "Lewis", "Edwards",
}

var namePrefixes = []string{"Mr", "Ms", "Mrs", "Dr", "Mx"}

var nameSuffixes = []string{"Jr", "Sr", "II", "III"}

var emailDomains = []string{
	"example.com", "example.org", "example.net", "mail.example.com", "inbox.example.org", "post.example.net",
}

// city is a place jobs and candidates are in.
type city struct {
	name, region, regionName, regionType, country, countryName string
	postal                                                     string // pattern: # digit, @ letter
	phone                                                      string // pattern: # digit
	streets                                                    []string
}

var cities = []city{
	{"London", "", "England", "", "gb", "United Kingdom", "@@# #@@", "+44 7700 900###", ukStreets},
	{"Manchester", "", "England", "", "gb", "United Kingdom", "M## #@@", "+44 7700 900###", ukStreets},
	{"Birmingham", "", "England", "", "gb", "United Kingdom", "B## #@@", "+44 7700 900###", ukStreets},
	{"Leeds", "", "England", "", "gb", "United Kingdom", "LS# #@@", "+44 7700 900###", ukStreets},
	{"Bristol", "", "England", "", "gb", "United Kingdom", "BS# #@@", "+44 7700 900###", ukStreets},
	{"Edinburgh", "", "Scotland", "", "gb", "United Kingdom", "EH# #@@", "+44 7700 900###", ukStreets},
	{"Glasgow", "", "Scotland", "", "gb", "United Kingdom", "G## #@@", "+44 7700 900###", ukStreets},
	{"Cardiff", "", "Wales", "", "gb", "United Kingdom", "CF## #@@", "+44 7700 900###", ukStreets},
	{"Belfast", "", "Northern Ireland", "", "gb", "United Kingdom", "BT# #@@", "+44 7700 900###", ukStreets},
	{"Dublin", "", "County Dublin", "", "ie", "Ireland", "D## @###", "+353 20 910 ####", ieStreets},
	{"Cork", "", "County Cork", "", "ie", "Ireland", "T12 @###", "+353 20 910 ####", ieStreets},
	{"New York", "NY", "New York", "STATE", "us", "United States", "100##", "+1 212-555-01##", usStreets},
	{"Austin", "TX", "Texas", "STATE", "us", "United States", "787##", "+1 512-555-01##", usStreets},
	{"Chicago", "IL", "Illinois", "STATE", "us", "United States", "606##", "+1 312-555-01##", usStreets},
	{"Boston", "MA", "Massachusetts", "STATE", "us", "United States", "021##", "+1 617-555-01##", usStreets},
	{"San Francisco", "CA", "California", "STATE", "us", "United States", "941##", "+1 415-555-01##", usStreets},
	{"Seattle", "WA", "Washington", "STATE", "us", "United States", "981##", "+1 206-555-01##", usStreets},
	{"Denver", "CO", "Colorado", "STATE", "us", "United States", "802##", "+1 303-555-01##", usStreets},
	{"Atlanta", "GA", "Georgia", "STATE", "us", "United States", "303##", "+1 404-555-01##", usStreets},
	{"Toronto", "ON", "Ontario", "PROVINCE", "ca", "Canada", "M#@ #@#", "+1 416-555-01##", caStreets},
	{"Vancouver", "BC", "British Columbia", "PROVINCE", "ca", "Canada", "V#@ #@#", "+1 604-555-01##", caStreets},
	{"Montreal", "QC", "Quebec", "PROVINCE", "ca", "Canada", "H#@ #@#", "+1 514-555-01##", caStreets},
	{"Sydney", "NSW", "New South Wales", "STATE", "au", "Australia", "2###", "+61 491 570 ###", auStreets},
	{"Melbourne", "VIC", "Victoria", "STATE", "au", "Australia", "3###", "+61 491 570 ###", auStreets},
}

var (
	ukStreets = []string{"High Street", "Station Road", "Church Lane", "Victoria Road", "Park Avenue", "Mill Lane", "King Street", "Queens Road"}
	ieStreets = []string{"Main Street", "Grafton Street", "Patrick Street", "Church Road", "Strand Road", "Abbey Street"}
	usStreets = []string{"Main St", "Oak Ave", "Maple Dr", "2nd St", "Park Blvd", "Washington Ave", "Lakeview Rd", "Pine St"}
	caStreets = []string{"Queen St W", "King St E", "Yonge St", "Main St", "Granville St", "Rue Sainte-Catherine"}
	auStreets = []string{"George St", "Collins St", "Pitt St", "Bourke St", "Elizabeth St", "Flinders Ln"}
)

// Fictional employers (candidates' current companies) and clients (the
// companies Tracker's agency recruits for).
var companies = []string{
	"Northwind Traders", "Contoso Ltd", "Fabrikam Inc", "Globex Systems", "Initech", "Hooli Cloud",
	"Vandelay Industries", "Stark Analytics", "Wonka Foods", "Tyrell Robotics", "Soylent Logistics",
	"Cyberdyne Health", "Oceanic Air", "Pied Piper Data", "Massive Dynamic", "Blue Sun Energy",
	"Aperture Labs", "Monarch Retail", "Gringotts Finance", "Dunder Paper", "Prestige Worldwide",
	"Bluth Homes", "Sterling Cooper Media", "Nakatomi Trading", "Wayne Biotech", "Umbrella Pharma",
}

var clientBlurbs = []string{
	"a fast-growing B2B software company with offices across three continents",
	"a well-established financial services group known for its people-first culture",
	"a venture-backed health technology scale-up on a mission to make care more accessible",
	"a leading retailer investing heavily in digital transformation",
	"a renewable energy business building the grid of the future",
	"a global logistics provider modernising its operations with data",
	"an award-winning creative agency working with household-name brands",
	"a specialist consultancy trusted by public and private sector clients alike",
}

// jobTemplate is a kind of role the agency recruits for.
type jobTemplate struct {
	title, category, dept string
	duties, skills        []string
}

var jobTemplates = []jobTemplate{
	{"Software Engineer", "Engineering", "Engineering",
		[]string{"design, build and ship features across the stack", "review code and mentor peers", "improve reliability and observability of production services"},
		[]string{"Go, Java or Python", "SQL and relational databases", "cloud platforms (AWS, GCP or Azure)", "CI/CD and automated testing"}},
	{"Data Engineer", "Engineering", "Data",
		[]string{"build and maintain batch and streaming pipelines", "model data for analytics and machine learning", "own data quality checks and lineage"},
		[]string{"Python and SQL", "Spark or Beam", "dbt", "data warehousing (BigQuery, Snowflake or Redshift)"}},
	{"DevOps Engineer", "Information Technology", "Platform",
		[]string{"automate infrastructure with code", "run Kubernetes clusters in production", "lead incident response and post-mortems"},
		[]string{"Terraform", "Kubernetes", "Linux administration", "monitoring with Prometheus or Datadog"}},
	{"Product Manager", "Product Management", "Product",
		[]string{"own the roadmap for a product area", "work with customers to discover problems worth solving", "define success metrics and track outcomes"},
		[]string{"B2B SaaS product experience", "stakeholder management", "data-informed decision making", "agile delivery"}},
	{"UX Designer", "Design", "Design",
		[]string{"run user research and usability testing", "create wireframes, prototypes and polished UI", "contribute to the design system"},
		[]string{"Figma", "interaction design", "accessibility standards (WCAG)", "a strong portfolio"}},
	{"Account Executive", "Sales", "Sales",
		[]string{"manage the full sales cycle from prospecting to close", "build relationships with senior buyers", "forecast accurately in the CRM"},
		[]string{"a track record of hitting quota", "consultative selling", "Salesforce", "negotiation"}},
	{"Marketing Manager", "Marketing", "Marketing",
		[]string{"plan and run integrated campaigns", "own the marketing budget and reporting", "work with sales on pipeline generation"},
		[]string{"B2B demand generation", "HubSpot or Marketo", "content strategy", "analytics"}},
	{"Financial Analyst", "Finance", "Finance",
		[]string{"build forecasts and budget models", "prepare monthly management accounts", "partner with business leaders on investment cases"},
		[]string{"advanced Excel", "financial modelling", "ACA, ACCA or CIMA (part or fully qualified)", "ERP systems"}},
	{"HR Business Partner", "Human Resources", "People",
		[]string{"advise managers on employee relations", "lead the performance and reward cycle", "drive engagement and retention initiatives"},
		[]string{"CIPD qualification", "employment law knowledge", "coaching", "HR information systems"}},
	{"Customer Success Manager", "Customer Service", "Customer Success",
		[]string{"onboard new customers and drive adoption", "run quarterly business reviews", "identify expansion opportunities"},
		[]string{"SaaS account management", "excellent communication", "renewal ownership", "Gainsight or similar"}},
	{"Registered Nurse", "Healthcare Services", "Clinical",
		[]string{"deliver high-quality patient care", "administer medication and monitor patients", "work within a multidisciplinary team"},
		[]string{"active nursing registration", "acute care experience", "clinical documentation", "patient advocacy"}},
	{"Project Manager", "Project Management", "PMO",
		[]string{"plan and deliver projects on time and on budget", "manage risks, issues and dependencies", "report progress to steering committees"},
		[]string{"PRINCE2 or PMP", "stakeholder management", "budget control", "MS Project or Jira"}},
	{"Data Scientist", "Engineering", "Data Science",
		[]string{"build predictive models that ship to production", "design and analyse experiments", "communicate findings to non-technical audiences"},
		[]string{"Python (pandas, scikit-learn)", "statistics", "SQL", "experiment design"}},
	{"Operations Manager", "Operations", "Operations",
		[]string{"run day-to-day operations of a busy site", "lead and develop a team of supervisors", "improve processes using lean methods"},
		[]string{"people leadership", "lean or Six Sigma", "health and safety", "KPI management"}},
	{"Solicitor", "Legal", "Legal",
		[]string{"advise on commercial contracts", "manage a varied caseload", "support business development"},
		[]string{"qualified solicitor", "commercial law", "drafting and negotiation", "client management"}},
	{"Electrical Engineer", "Engineering", "Engineering",
		[]string{"design electrical systems for commercial projects", "produce calculations and drawings", "support site teams during installation"},
		[]string{"degree in electrical engineering", "AutoCAD", "BS 7671 or NEC", "chartered status desirable"}},
}

type seniority struct {
	prefix, level string
	weight        int
}

var seniorities = []seniority{
	{"Junior ", "ENTRY_LEVEL", 2},
	{"", "ASSOCIATE", 3},
	{"", "MID_SENIOR_LEVEL", 3},
	{"Senior ", "MID_SENIOR_LEVEL", 4},
	{"Lead ", "MID_SENIOR_LEVEL", 2},
	{"Head of ", "DIRECTOR", 1},
}

var workplaceTypes = []string{"On-site", "Hybrid", "Hybrid", "Remote"}

var employmentStatuses = []string{"FULL_TIME", "FULL_TIME", "FULL_TIME", "FULL_TIME", "CONTRACT", "CONTRACT", "PART_TIME", "TEMPORARY"}

var benefits = []string{
	"Competitive salary, 25 days holiday plus bank holidays, private medical cover and a matched pension.",
	"Flexible hours, a generous learning budget, share options and an annual team retreat.",
	"Hybrid working, enhanced parental leave, wellbeing allowance and a cycle-to-work scheme.",
	"Excellent benefits including bonus, life assurance, volunteering days and clear progression.",
}

var candidateSources = []string{
	"LinkedIn", "LinkedIn", "Job Board", "Job Board", "Referral", "Company Website", "Database Search", "Agency", "Event",
}

// The pipeline a placement moves through. Offers and hires are stages too
// (RSC has no separate API for them).
var pipeline = []string{
	"Shortlisted", "Submitted", "Phone Screen", "Onsite Interview", "Offer Extended", "Offer Accepted", "Placed",
}

// hiredPath is the five-stage path of a placement that ends in a hire.
var hiredPath = []string{"Shortlisted", "Submitted", "Onsite Interview", "Offer Extended", "Placed"}

var rejectionReasons = []string{
	"Not a fit for the role", "Salary expectations too high", "Candidate withdrew",
	"Position filled", "Failed technical assessment", "Client rejected CV", "No response from candidate",
}

var candidateNotes = []string{
	"Spoke to {name} about their next move; open to new roles, notice period {n} weeks.",
	"Left voicemail for {name}, will try again on Thursday.",
	"{name} prefers hybrid working, ideally two days a week in the office.",
	"Updated CV received from {name} and saved to the file.",
	"Met {name} at the careers fair, strong communicator, follow up in {n} weeks.",
	"{name} is interviewing elsewhere and expects an offer within {n} weeks.",
	"Called {name}: happy to be considered for similar roles, salary expectation around {n}0k.",
	"{name} asked to pause contact until after the holidays; revisit in {n} weeks.",
}

var placementNotes = []string{
	"Submitted {name}'s CV to the hiring manager with a short summary.",
	"Client feedback on {name}: strong experience, wants a second conversation within {n} days.",
	"Chased the client for feedback on {name}.",
	"{name} confirmed availability for interviews next week ({n} slots offered).",
	"Discussed the package with {name}; would accept within {n}% of the top of the band.",
	"Reference checks for {name} started.",
}

var feedbackTexts = []string{
	"Clear communicator with solid fundamentals. Would move forward.",
	"Good cultural fit, some gaps in depth on system design.",
	"Strong problem solving; answers were structured and concise.",
	"Experience is narrower than the CV suggests. Not progressing.",
	"Excellent stakeholder examples, asked thoughtful questions about the team.",
	"Technical depth impressed the panel; slight concern about notice period.",
}

var evaluationAttributes = []string{"Technical Skills", "Verbal Communication", "Problem Solving", "Culture Add", "Leadership"}
