"""The incidents domain's queries, by what they read: `incidents` (incident rows and their
milestones), `narratives` (the posts counted under a narrative key, near-duplicate bands),
`response` (clocks, notifications, tasks), `groups` (response groups and members), `plans` (plan
versions, lessons, stored incident policies), `materials` (attachments, report reviews),
`timeline` (the action log as incidents read it), `cases` (the pipeline's posts, scores and
cases as incidents read and tag them) and `drills` (what scoring a drill reads)."""
