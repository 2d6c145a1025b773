# Vše, co bot říká mimo položky ALSFRS. HTML je povoleno tam, kde kód posílá HTML;
# argumenty kód před vložením escapuje.

stranger =
    Dobrý den. Toto je pomocník pro sebehodnocení v klinické studii ALS.
    Je určen jen účastníkům studie a jejich pečujícím.
    Pokud se studie účastníte, otevřete prosím osobní odkaz, který vám dal studijní tým. S dotazy se obraťte na svůj studijní tým.
code-invalid =
    Tento odkaz nefunguje. Možná už byl použit, nebo mu vypršela platnost.
    Požádejte prosím studijní tým o nový odkaz.
code-throttled = Bylo zadáno příliš mnoho chybných kódů. Až { $minutes } minut nelze tento účet propojit žádným odkazem, ani novým platným. Počkejte prosím a potom odkaz otevřete znovu.
code-conflict = Tento účet Telegramu je ve studii už propojen jinak, proto s ním tento odkaz použít nelze. Obraťte se prosím na studijní tým.
linked-patient = Děkujeme, váš účet Telegramu je nyní propojen se studií.
welcome =
    Vítejte. Tento bot vám pomáhá zaznamenávat, jak se vám daří mezi návštěvami v centru, pomocí funkční škály ALS (ALSFRS).
    Je to deset krátkých otázek, na které odpovídáte klepnutím na tlačítka; zabere to asi pět minut.
welcome-back = Vítejte zpět.
welcome-in-progress = Máte rozpracované hodnocení ({ $answered } z 10 zodpovězeno). Klepněte níže a pokračujte tam, kde jste skončili.
button-start = Začít hodnocení
button-continue = Pokračovat v hodnocení

question-header = <b>Otázka { $number } z 10 · { $name }</b>
question-compare = Srovnávejte se stavem před začátkem ALS, ne s minulým hodnocením. Klepněte na číslo odpovědi, která nejlépe odpovídá.
question-current = Zadaná odpověď: { $label }
answer-label = { $score } · { $text }
answer-button = { $score } · { $word }
answer-chosen = { $label } ✓
button-back = Zpět

tube-header = <b>Před otázkou 5: gastrostomie</b>
tube-question = Máte v současnosti gastrostomii, tedy vyživovací sondu zavedenou přes břišní stěnu do žaludku (PEG nebo RIG)? Sonda zavedená nosem se nepočítá.
tube-question-proxy = Má člověk, o kterého pečujete, v současnosti gastrostomii, tedy vyživovací sondu zavedenou přes břišní stěnu do žaludku (PEG nebo RIG)? Sonda zavedená nosem se nepočítá.
tube-yes = Ano, gastrostomie
tube-no = Bez gastrostomie
tube-known-yes = Gastrostomie: ano. Pokud se to změnilo, klepněte na „Změnit gastrostomii“.
tube-known-no = Gastrostomie: ne. Pokud se to změnilo, klepněte na „Změnit gastrostomii“.
button-change-tube = Změnit gastrostomii

review-header = <b>Zkontrolujte prosím odpovědi</b>
review-line = { $number }. { $name }: { $label }
review-total = <b>Celkem: { $total } ze 40</b>
review-hint = Chcete-li odpověď změnit, klepněte níže na ✎ s číslem otázky. Když je vše v pořádku, klepněte na Odeslat.
button-edit = ✎ { $number }
button-submit = Odeslat

submitted-title = <b>Děkujeme. Hodnocení je uloženo.</b>
submitted-total = Dnešní celkový výsledek: { $total } ze 40.
change-lower = { $total } ze 40, o { $points ->
    [one] 1 bod méně
    [few] { $points } body méně
   *[other] { $points } bodů méně
} než { $date }.
change-higher = { $total } ze 40, o { $points ->
    [one] 1 bod více
    [few] { $points } body více
   *[other] { $points } bodů více
} než { $date }.
change-same = { $total } ze 40, stejně jako { $date }.
change-first = Toto je první hodnocení uložené ve studii.
submitted-transcript = Hodnocení odesláno { $date }, celkem { $total } ze 40.

notice-already-answered = Tato otázka už byla zodpovězena. Použijte prosím nejnovější zprávu.
notice-already-submitted = Toto hodnocení už bylo odesláno.
notice-invalid-button = Toto tlačítko není platné.
notice-saved = Uloženo.
notice-not-enrolled = Tento účet není propojen s účastníkem studie.
tap-reminder = Odpovězte prosím klepnutím na jedno z tlačítek pod otázkou. Tady je znovu:
nothing-to-do = Pro zodpovězení otázek pošlete /assess. Nápovědu zobrazí /help.

cancelled = Dobře, tady skončíme. Dosavadní odpovědi jsou uloženy. Až budete chtít pokračovat, pošlete /assess.
cancel-nothing = Žádné hodnocení právě neprobíhá.
assessment-retired = Toto hodnocení pokračuje v novější zprávě níže.

history-header = <b>Vaše uložená hodnocení</b>
history-line = { $date }: { $total } ze 40
history-empty = Zatím nebylo odesláno žádné hodnocení.

language-prompt = Vyberte jazyk:
language-set = Jazyk je nyní čeština.

help =
    <b>Jak bota používat</b>
    /assess – zodpovědět deset otázek (nebo pokračovat, kde jste skončili)
    /symptoms – kdykoli nahlásit nový příznak
    /time – denní doba pro připomínky
    /history – vaše uložená hodnocení
    /language – změnit jazyk
    /cancel – zatím skončit; odpovědi zůstanou uloženy
    /help – tato zpráva
    Každá odpověď se uloží hned po klepnutí. S dotazy ke studii se obraťte na svůj studijní tým.

error-generic = Omlouváme se, u nás se něco pokazilo. Vaše uložené odpovědi jsou v bezpečí. Zkuste to prosím za chvíli znovu.
participant-inactive = Vaše účast je pozastavena nebo skončila, proto se bot teď neptá. Pokud to není správně, obraťte se prosím na studijní tým.

cmd-assess = Zodpovědět otázky ALSFRS
cmd-history = Vaše uložená hodnocení
cmd-language = Změnit jazyk
cmd-cancel = Zatím skončit, odpovědi zůstanou
cmd-help = Jak bota používat
assessment-taken-over = V tomto hodnocení nyní pokračuje někdo jiný (pacient nebo pečující). Pošlete /assess a uvidíte, jak daleko je.
cmd-symptoms = Nahlásit nový příznak
