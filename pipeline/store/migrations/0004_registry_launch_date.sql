-- The day a movement was launched, where the registry knows it (diffusion counts days from
-- it); only the year was kept before.
ALTER TABLE movement_registry ADD COLUMN launched_on DATE;
