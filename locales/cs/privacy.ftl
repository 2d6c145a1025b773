# Informace o ochraně osobních údajů, se kterou pacient nebo pečovatel souhlasí před použitím bota (issue 16).
privacy-title = <b>Ochrana osobních údajů</b> (studijní ID { $subject }, verze { $version })
privacy-notice =
    Tohoto bota pro studii provozuje { $controller }.
    • Co ukládáme: vaše pseudonymní studijní ID, vaše odpovědi a hlášení příznaků a číslo vašeho účtu Telegram, které je uloženo odděleně od studijních dat. Žádné jméno ani telefonní číslo.
    • Telegram je třetí strana: přenáší zprávy mezi vámi a studií.
    • Jak dlouho: studijní data uchováváme { $retention } let po skončení studie, jak vyžadují pravidla klinických studií. Číslo vašeho účtu Telegram odstraníme, když ze studie odstoupíte.
    • Dotazy, nahlédnutí do údajů nebo jejich oprava: { $contact }.
privacy-contact-team = váš studijní tým
privacy-full-notice = Celé znění: <a href="{ $url }">{ $url }</a>
privacy-question = Potvrďte prosím: přečetl(a) jsem si to a souhlasím.
privacy-agree = Souhlasím
privacy-decline = Odmítnout
privacy-thanks = Děkujeme. Váš souhlas byl zaznamenán.
privacy-declined =
    Odmítli jste, takže tento účet Telegram už není propojen se studií. Nic dalšího se přes něj nezaznamená.
    Pokud si to rozmyslíte, stačí požádat studijní tým o nový odkaz; jste vždy vítáni zpět.
privacy-gone = Tato informace už nečeká na odpověď.
privacy-declined-staff = Účet ({ $role }) účastníka { $subject } odmítl informaci o ochraně údajů a byl odpojen. Pokud si to rozmyslí, lze vydat nový kód.
