-- 0012: several sites in one study (issue 16). Applied migrations are never edited.
--
-- A participant belongs to one site, named by the site's id in the study file. Rows made
-- before sites existed hold NULL until the bot adopts them into the study's default site at
-- its next start (audited, conversations/flows/sites.py).
ALTER TABLE participants ADD COLUMN site TEXT;
CREATE INDEX participants_by_site ON participants (site, subject);

-- A staff member works for some sites (a JSON array of site ids) or for the whole study
-- (NULL: a monitor or the sponsor's safety physician). The staff invitation carries the sites
-- the link will have.
ALTER TABLE links ADD COLUMN sites TEXT CHECK (sites IS NULL OR json_valid(sites));
ALTER TABLE invitations ADD COLUMN sites TEXT CHECK (sites IS NULL OR json_valid(sites));
