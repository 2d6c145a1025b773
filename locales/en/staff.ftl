# Texts for study staff, and for caregivers (who answer on a patient's behalf).

staff-only = This command is for study staff only.
staff-not-respondent = Staff accounts do not answer the questions themselves. Send /help for the staff commands.
linked-staff = Your Telegram account is now linked as study staff. Choose the name colleagues see on alerts: send /name and your name, for example /name Dana N.
staff-help =
    <b>Study staff commands</b>
    /enroll SUBJECT_ID [en|cs] [site SITE_ID] – enroll a participant; gives a patient link and a caregiver link
    /caregiver SUBJECT_ID – another caregiver link
    /relink SUBJECT_ID – a new patient link; earlier unused patient links stop working
    /participants – every participant with status, last total and open alerts
    /participant SUBJECT_ID – history and linked accounts
    /pause, /resume, /withdraw SUBJECT_ID [reason] – change a participant's status
    /schedule SUBJECT_ID [every N days] [at HH:MM] [tz Area/City] – show or set the reminder schedule
    /revoke NUMBER [reason] – end a caregiver's or staff member's access (the number from /participant or /staff)
    /invite [SITE_ID …|study] – a link for a new staff member (of your sites, or the ones named)
    /staff – staff members
    /alerts – open alerts, urgent first, to open or acknowledge
    /alerts SUBJECT_ID – acknowledge all open alerts of one participant with one action
    /name NAME – the name colleagues see on alerts; /note TEXT – a note on an alert acknowledged with "Other"
staff-usage-enroll = Use: /enroll SUBJECT_ID [en|cs] [site SITE_ID], for example /enroll S001 cs. A study ID is 1–32 letters, digits, "-" or "_".
staff-usage-subject = Use: { $command } SUBJECT_ID, for example { $command } S001.
staff-usage-revoke = Use: /revoke NUMBER [reason], with the number shown by /participant or /staff.
staff-exists = Participant { $subject } already exists.
staff-unknown = There is no participant { $subject }.
staff-other-site = Participant { $subject } belongs to another site: you do not have access to them. Ask a colleague of that site or a study-wide member.
staff-other-site-press = This is about a participant of another site: you do not have access to it.
staff-enrolled-site = Participant { $subject } belongs to site { $site }.
staff-site-unknown = There is no site { $site }. The study's sites: { $sites }.
staff-site-choose = You work for several sites ({ $sites }): name one, for example /enroll S001 cs site { $first }.
staff-site-not-yours = Site { $site } is not one of your sites, so you cannot enroll there.
staff-invite-not-yours = You can invite staff only for your own sites: /invite, or /invite with some of your sites.
staff-invite-sites = The new member will work for: { $sites }.
staff-study-wide = the whole study
staff-revoke-not-yours = Number { $id } belongs to another site: you cannot end that access.
staff-enrolled =
    Participant <b>{ $subject }</b> is enrolled. Each link works once, until { $until }.
    Patient link:
    { $patient_link }
    Caregiver link:
    { $caregiver_link }
staff-caregiver-link =
    A caregiver link for <b>{ $subject }</b>, single use, until { $until }:
    { $link }
staff-staff-link =
    A link for a new staff member, single use, until { $until }:
    { $link }
staff-participants-empty = No participants are enrolled yet.
staff-participants-header = <b>Participants</b>, page { $page } of { $pages } ({ $count } in all)
staff-participants-line = <b>{ $subject }</b> · { $status } · last { $last } · total { $total } · change { $change } · open alerts { $alerts }
staff-never = –
staff-participant-header = <b>{ $subject }</b> · { $status }
staff-participant-history = <b>Submissions</b>
staff-history-line = { $date }: { $total } of 40, answered by { $respondent } #{ $id }
staff-participant-links = <b>Linked accounts</b>
staff-link-line = #{ $id } { $role }, linked { $date }{ $revoked }
staff-link-revoked = , revoked { $date }
staff-status-changed = { $subject } is now { $status }.
staff-status-unchanged = { $subject } was not changed (now { $status }; withdrawal is final).
staff-revoked = Access #{ $id } ({ $role }) has been revoked.
staff-revoke-unknown = There is no active caregiver or staff access #{ $id }. Patients are withdrawn with /withdraw.
staff-revoke-self = You cannot revoke your own access.
staff-list-header = <b>Staff members</b>
button-previous = Previous
button-next = Next
status-active = active
status-paused = paused
status-withdrawn = withdrawn
role-patient = patient
role-caregiver = caregiver
role-staff = staff

linked-caregiver = Thank you, your Telegram account is now linked as a caregiver of participant { $subject }.
welcome-caregiver = You can answer the ALS functional rating scale (ALSFRS) on their behalf: ten short questions about the person you care for, answered by tapping buttons.
welcome-back-caregiver = Welcome back. You answer for participant { $subject }.
choose-participant = Whom are you answering for?
history-header-caregiver = <b>Saved assessments of { $subject }</b>
already-under-way = An assessment is already under way, started { $who } on { $when } ({ $answered } of 10 answered). You can continue it: the answers so far are kept, and each answer records who gave it. Or leave it as it is.
started-by-patient = by the patient
started-by-caregiver = by a caregiver
button-join = Continue it
button-leave = Leave it
left-alone = All right, nothing was changed.
cmd-staff-alerts = Open alerts, urgent first
cmd-staff-participants = Every participant with status and last total
cmd-staff-participant = One participant: history and linked accounts
cmd-staff-enroll = Enroll a participant: /enroll SUBJECT_ID [en|cs]
cmd-staff-caregiver = Another caregiver link: /caregiver SUBJECT_ID
cmd-staff-schedule = A participant's reminder schedule
cmd-staff-pause = Pause a participant
cmd-staff-resume = Resume a paused participant
cmd-staff-withdraw = Withdraw a participant (final)
cmd-staff-revoke = End a caregiver's or staff member's access
cmd-staff-invite = A link for a new staff member
cmd-staff-staff = Staff members
chart-title = { $subject } · ALSFRS total over time
chart-y = Total (0–40)
chart-caption = { $subject }: totals of the last { $count } submissions.

# Records and dead ends (issue 10)
choose-history = Whose history do you want to see?
already-submitted-today = An assessment was already submitted today at { $time } by { $who } (total { $total } of 40). Start another one?
submitted-by-you = you
submitted-by-patient = the patient
submitted-by-caregiver = a caregiver
button-start-another = Start another
button-not-now = Not now
staff-patient-link =
    A new patient link for <b>{ $subject }</b>, single use, until { $until }. Earlier unused patient links no longer work:
    { $link }
staff-relink-withdrawn = Participant { $subject } has withdrawn; no new links are issued.
cmd-staff-relink = A new patient link: /relink SUBJECT_ID
