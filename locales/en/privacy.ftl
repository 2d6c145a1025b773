# The privacy notice a patient or caregiver agrees to before using the bot (issue 16).
privacy-title = <b>Privacy notice</b> (study ID { $subject }, version { $version })
privacy-notice =
    This bot is run for the study by { $controller }.
    • What is stored: your pseudonymous study ID, your answers and symptom reports, and your Telegram account number, which is kept apart from the study data. No name and no phone number.
    • Telegram is a third party: it carries the messages between you and the study.
    • How long: the study data are kept for { $retention } years after the study ends, as clinical trial rules require. Your Telegram account number is removed when you leave the study.
    • Questions, or to see or correct your data: { $contact }.
privacy-contact-team = your study team
privacy-full-notice = The full notice: <a href="{ $url }">{ $url }</a>
privacy-question = Please confirm: I have read this and agree.
privacy-agree = I agree
privacy-decline = Decline
privacy-thanks = Thank you. Your agreement has been recorded.
privacy-declined =
    You declined, so this Telegram account is no longer linked to the study. Nothing else will be recorded through it.
    If you change your mind, just ask your study team for a new link; you are always welcome back.
privacy-gone = This notice is no longer waiting for an answer.
privacy-declined-staff = The { $role } account of { $subject } declined the privacy notice and was unlinked. A new code can be issued if they change their mind.
