# Reminders between clinic visits, the staff digest of missed assessments, /time and /schedule.
# HTML is allowed; arguments are escaped by the code before they are put in.

reminder-due =
    It is time for your ALS functional rating scale (ALSFRS): ten short questions, about five minutes.
    Tap "Start now" when you are ready.
reminder-due-caregiver =
    It is time for the ALSFRS of participant <b>{ $subject }</b>: ten short questions about the person you care for, about five minutes.
    Tap "Start now" when you are ready.
reminder-follow-up = A gentle reminder: your ALSFRS questions are still waiting. If you have already started, you can continue where you left off.
reminder-follow-up-caregiver = A gentle reminder: the ALSFRS questions for participant <b>{ $subject }</b> are still waiting. If you have already started, you can continue where you left off.
reminder-button-start = Start now

digest-header = <b>Missed assessments, { $date }</b>: { $count ->
    [one] one assessment was
   *[other] { $count } assessments were
} not answered in time.
digest-continued = <b>Missed assessments, { $date }</b> (continued)
digest-line = { $subject } · due { $date }
digest-footer = Details: /participant SUBJECT_ID. Reminders go on according to each participant's schedule.

cmd-time = Choose when reminders come
time-schedule = Reminders come { $days ->
    [one] every day
   *[other] every { $days } days
} at { $time } ({ $zone } time).
time-schedule-caregiver = Reminders for participant <b>{ $subject }</b> come { $days ->
    [one] every day
   *[other] every { $days } days
} at { $time } ({ $zone } time).
time-next = Next reminder: { $when }.
time-paused = Reminders are paused at the moment.
time-choose = To change the time of day, tap one of the times below.
time-choose-participant = Whose reminders do you want to change?
time-set = Done: reminders now come at { $time }.
time-unchanged = Reminders already come at { $time }.
time-not-allowed = This time cannot be chosen. Please tap one of the times offered.
time-withdrawn = Participation in the study has ended, so no more reminders are sent.

schedule-usage =
    Use: /schedule SUBJECT_ID [every N days] [at HH:MM] [tz Area/City], for example /schedule S001 every 28 days at 09:30 tz Europe/Prague.
    /schedule SUBJECT_ID alone shows the schedule; /schedule SUBJECT_ID default returns it to the study's defaults.
schedule-header = <b>{ $subject }</b> · reminder schedule
schedule-interval = Interval: { $days ->
    [one] every day
   *[other] every { $days } days
}
schedule-time = Time of day: { $time }
schedule-zone = Time zone: { $zone }
schedule-study-default = (study default)
schedule-next = Next reminder: { $when }
schedule-inactive = No reminders while the participant is { $status }.
schedule-changed = The reminder schedule of <b>{ $subject }</b> is changed and counts from now.
schedule-unchanged = The reminder schedule of <b>{ $subject }</b> was already like this.
schedule-error-interval = The interval is a whole number of days from 1 to 365, for example "every 28 days".
schedule-error-time = Write the time as HH:MM, for example "at 09:30".
schedule-error-zone = "{ $zone }" is not a time zone name known here. Use a name such as Europe/Prague or America/New_York.
schedule-error-quiet = { $time } is in the quiet hours ({ $start }–{ $end }), when no reminders are sent. Please choose another time.
