# Připomínky mezi návštěvami, denní přehled zmeškaných hodnocení pro tým, /time a /schedule.
# HTML je povoleno; argumenty kód před vložením escapuje.

reminder-due =
    Je čas na vaše hodnocení ALSFRS (škála funkčního hodnocení ALS): deset krátkých otázek, zhruba pět minut.
    Až budete připraveni, klepněte na „Začít teď“.
reminder-due-caregiver =
    Je čas na hodnocení ALSFRS účastníka <b>{ $subject }</b>: deset krátkých otázek o člověku, o kterého pečujete, zhruba pět minut.
    Až budete připraveni, klepněte na „Začít teď“.
reminder-follow-up = Malá připomínka: otázky ALSFRS na vás stále čekají. Pokud jste už začali, můžete pokračovat tam, kde jste skončili.
reminder-follow-up-caregiver = Malá připomínka: otázky ALSFRS za účastníka <b>{ $subject }</b> stále čekají. Pokud jste už začali, můžete pokračovat tam, kde jste skončili.
reminder-button-start = Začít teď

digest-header = <b>Zmeškaná hodnocení, { $date }</b>: { $count ->
    [one] jedno hodnocení nebylo zodpovězeno
    [few] { $count } hodnocení nebyla zodpovězena
   *[other] { $count } hodnocení nebylo zodpovězeno
} v termínu.
digest-continued = <b>Zmeškaná hodnocení, { $date }</b> (pokračování)
digest-line = { $subject } · termín { $date }
digest-footer = Podrobnosti: /participant ID_ÚČASTNÍKA. Připomínky dál chodí podle plánu každého účastníka.

cmd-time = Zvolit, kdy chodí připomínky
time-schedule = Připomínky chodí { $days ->
    [one] každý den
    [few] každé { $days } dny
   *[other] každých { $days } dní
} v { $time } (časové pásmo { $zone }).
time-schedule-caregiver = Připomínky za účastníka <b>{ $subject }</b> chodí { $days ->
    [one] každý den
    [few] každé { $days } dny
   *[other] každých { $days } dní
} v { $time } (časové pásmo { $zone }).
time-next = Příští připomínka: { $when }.
time-paused = Připomínky jsou teď pozastaveny.
time-choose = Pokud chcete změnit denní dobu, klepněte na jeden z časů níže.
time-choose-participant = Čí připomínky chcete změnit?
time-set = Hotovo: připomínky teď budou chodit v { $time }.
time-unchanged = Připomínky už chodí v { $time }.
time-not-allowed = Tento čas nelze zvolit. Klepněte prosím na jeden z nabízených časů.
time-withdrawn = Účast ve studii skončila, proto už připomínky nechodí.

schedule-usage =
    Použití: /schedule ID_ÚČASTNÍKA [every N days] [at HH:MM] [tz Oblast/Město], například /schedule S001 every 28 days at 09:30 tz Europe/Prague.
    Samotné /schedule ID_ÚČASTNÍKA plán zobrazí; /schedule ID_ÚČASTNÍKA default vrátí výchozí nastavení studie.
schedule-header = <b>{ $subject }</b> · plán připomínek
schedule-interval = Interval: { $days ->
    [one] každý den
    [few] každé { $days } dny
   *[other] každých { $days } dní
}
schedule-time = Denní doba: { $time }
schedule-zone = Časové pásmo: { $zone }
schedule-study-default = (výchozí nastavení studie)
schedule-next = Příští připomínka: { $when }
schedule-inactive = Účastník je ve stavu „{ $status }“, připomínky se neposílají.
schedule-changed = Plán připomínek účastníka <b>{ $subject }</b> je změněn a počítá se od teď.
schedule-unchanged = Plán připomínek účastníka <b>{ $subject }</b> už takto nastaven byl.
schedule-error-interval = Interval je celý počet dní od 1 do 365, například „every 28 days“.
schedule-error-time = Čas napište jako HH:MM, například „at 09:30“.
schedule-error-zone = „{ $zone }“ není známý název časového pásma. Použijte název jako Europe/Prague nebo America/New_York.
schedule-error-quiet = { $time } spadá do nočního klidu ({ $start }–{ $end }), kdy se připomínky neposílají. Zvolte prosím jiný čas.
