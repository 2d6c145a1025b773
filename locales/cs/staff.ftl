# Texty pro studijní tým a pro pečující (kteří odpovídají za pacienta).

staff-only = Tento příkaz je určen jen studijnímu týmu.
staff-not-respondent = Účty studijního týmu samy na otázky neodpovídají. Příkazy pro tým zobrazí /help.
linked-staff = Váš účet Telegramu je nyní propojen jako člen studijního týmu. Zvolte jméno, které kolegové uvidí u upozornění: pošlete /name a své jméno, například /name Dana N.
staff-help =
    <b>Příkazy pro studijní tým</b>
    /enroll ID_ÚČASTNÍKA [en|cs] [site ID_PRACOVIŠTĚ] – zařadit účastníka; vytvoří odkaz pro pacienta a pro pečujícího
    /caregiver ID_ÚČASTNÍKA – další odkaz pro pečujícího
    /relink ID_ÚČASTNÍKA – nový odkaz pro pacienta; dřívější nepoužité odkazy pro pacienta přestanou platit
    /participants – všichni účastníci se stavem, posledním výsledkem a otevřenými upozorněními
    /participant ID_ÚČASTNÍKA – historie a propojené účty
    /pause, /resume, /withdraw ID_ÚČASTNÍKA [důvod] – změnit stav účastníka
    /schedule ID_ÚČASTNÍKA [every N days] [at HH:MM] [tz Oblast/Město] – zobrazit nebo nastavit plán připomínek
    /revoke ČÍSLO [důvod] – ukončit přístup pečujícího nebo člena týmu (číslo z /participant nebo /staff)
    /invite [ID_PRACOVIŠTĚ …|study] – odkaz pro nového člena týmu (pro vaše pracoviště nebo pro ta uvedená)
    /staff – členové týmu
    /alerts – nepotvrzená upozornění, naléhavá nahoře, k otevření nebo potvrzení
    /alerts ID_ÚČASTNÍKA – potvrdit všechna otevřená upozornění jednoho účastníka jednou volbou
    /name JMÉNO – jméno, které kolegové vidí u upozornění; /note TEXT – poznámka k upozornění potvrzenému volbou „Jiné“
staff-usage-enroll = Použití: /enroll ID_ÚČASTNÍKA [en|cs] [site ID_PRACOVIŠTĚ], například /enroll S001 cs. ID je 1–32 písmen, číslic, „-“ nebo „_“.
staff-usage-subject = Použití: { $command } ID_ÚČASTNÍKA, například { $command } S001.
staff-usage-revoke = Použití: /revoke ČÍSLO [důvod], s číslem z /participant nebo /staff.
staff-exists = Účastník { $subject } už existuje.
staff-unknown = Účastník { $subject } neexistuje.
staff-other-site = Účastník { $subject } patří k jinému pracovišti: k jeho údajům nemáte přístup. Obraťte se na kolegu z tohoto pracoviště nebo na člena týmu pro celou studii.
staff-other-site-press = Týká se účastníka jiného pracoviště: k tomu nemáte přístup.
staff-enrolled-site = Účastník { $subject } patří k pracovišti { $site }.
staff-site-unknown = Pracoviště { $site } neexistuje. Pracoviště studie: { $sites }.
staff-site-choose = Pracujete pro více pracovišť ({ $sites }): uveďte jedno, například /enroll S001 cs site { $first }.
staff-site-not-yours = Pracoviště { $site } není vaše, proto na něm nemůžete zařazovat účastníky.
staff-invite-not-yours = Členy týmu můžete zvát jen pro svá pracoviště: /invite, nebo /invite s některými ze svých pracovišť.
staff-invite-sites = Nový člen bude pracovat pro: { $sites }.
staff-study-wide = celou studii
staff-revoke-not-yours = Číslo { $id } patří k jinému pracovišti: tento přístup ukončit nemůžete.
staff-enrolled =
    Účastník <b>{ $subject }</b> je zařazen. Každý odkaz funguje jednou, do { $until }.
    Odkaz pro pacienta:
    { $patient_link }
    Odkaz pro pečujícího:
    { $caregiver_link }
staff-caregiver-link =
    Odkaz pro pečujícího účastníka <b>{ $subject }</b>, na jedno použití, do { $until }:
    { $link }
staff-staff-link =
    Odkaz pro nového člena týmu, na jedno použití, do { $until }:
    { $link }
staff-participants-empty = Zatím není zařazen žádný účastník.
staff-participants-header = <b>Účastníci</b>, strana { $page } z { $pages } (celkem { $count })
staff-participants-line = <b>{ $subject }</b> · { $status } · naposledy { $last } · celkem { $total } · změna { $change } · otevřená upozornění { $alerts }
staff-never = –
staff-participant-header = <b>{ $subject }</b> · { $status }
staff-participant-history = <b>Odeslaná hodnocení</b>
staff-history-line = { $date }: { $total } ze 40, odpověděl(a) { $respondent } #{ $id }
staff-participant-links = <b>Propojené účty</b>
staff-link-line = #{ $id } { $role }, propojeno { $date }{ $revoked }
staff-link-revoked = , zrušeno { $date }
staff-status-changed = { $subject } je nyní { $status }.
staff-status-unchanged = { $subject } se nezměnil(a) (nyní { $status }; vyřazení ze studie je konečné).
staff-revoked = Přístup #{ $id } ({ $role }) byl zrušen.
staff-revoke-unknown = Aktivní přístup pečujícího nebo člena týmu #{ $id } neexistuje. Pacienti se vyřazují příkazem /withdraw.
staff-revoke-self = Svůj vlastní přístup zrušit nemůžete.
staff-list-header = <b>Členové týmu</b>
button-previous = Předchozí
button-next = Další
status-active = aktivní
status-paused = pozastaven
status-withdrawn = vyřazen
role-patient = pacient
role-caregiver = pečující
role-staff = tým

linked-caregiver = Děkujeme, váš účet Telegramu je nyní propojen jako pečující účastníka { $subject }.
welcome-caregiver = Můžete za něj vyplňovat funkční škálu ALS (ALSFRS): deset krátkých otázek o člověku, o kterého pečujete, zodpovězených klepnutím na tlačítka.
welcome-back-caregiver = Vítejte zpět. Odpovídáte za účastníka { $subject }.
choose-participant = Za koho odpovídáte?
history-header-caregiver = <b>Uložená hodnocení účastníka { $subject }</b>
already-under-way = Hodnocení už probíhá, začal(a) ho { $who } { $when } ({ $answered } z 10 zodpovězeno). Můžete v něm pokračovat: dosavadní odpovědi zůstanou a u každé odpovědi se zaznamená, kdo ji zadal. Nebo ho nechte, jak je.
started-by-patient = pacient
started-by-caregiver = pečující
button-join = Pokračovat v něm
button-leave = Nechat být
left-alone = Dobře, nic se nezměnilo.
cmd-staff-alerts = Otevřená upozornění, naléhavá první
cmd-staff-participants = Všichni účastníci se stavem a posledním výsledkem
cmd-staff-participant = Jeden účastník: historie a propojené účty
cmd-staff-enroll = Zařadit účastníka: /enroll ID_ÚČASTNÍKA [en|cs]
cmd-staff-caregiver = Další odkaz pro pečujícího: /caregiver ID_ÚČASTNÍKA
cmd-staff-schedule = Plán připomínek účastníka
cmd-staff-pause = Pozastavit účastníka
cmd-staff-resume = Obnovit pozastaveného účastníka
cmd-staff-withdraw = Vyřadit účastníka (konečné)
cmd-staff-revoke = Ukončit přístup pečujícího nebo člena týmu
cmd-staff-invite = Odkaz pro nového člena týmu
cmd-staff-staff = Členové týmu
chart-title = { $subject } · celkové skóre ALSFRS v čase
chart-y = Celkem (0–40)
chart-caption = { $subject }: celkové skóre posledních { $count } odeslaných hodnocení.

# Records and dead ends (issue 10)
choose-history = Čí historii chcete vidět?
already-submitted-today = Dnes v { $time } už bylo hodnocení odesláno { $who } (celkem { $total } ze 40). Začít další?
submitted-by-you = vámi
submitted-by-patient = pacientem
submitted-by-caregiver = pečující osobou
button-start-another = Začít další
button-not-now = Teď ne
staff-patient-link =
    Nový odkaz pro pacienta <b>{ $subject }</b>, na jedno použití, do { $until }. Dřívější nepoužité odkazy pro pacienta už nefungují:
    { $link }
staff-relink-withdrawn = Účastník { $subject } ze studie vystoupil; nové odkazy se nevydávají.
cmd-staff-relink = Nový odkaz pro pacienta: /relink ID_ÚČASTNÍKA
