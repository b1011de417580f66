-- Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d).
-- One database per service: no service reads another's tables (events carry the data across).
-- The owner is POSTGRES_USER from docker-compose.yml.
CREATE DATABASE linli_registry OWNER linli;
CREATE DATABASE linli_dispatch OWNER linli;
CREATE DATABASE linli_billing OWNER linli;
CREATE DATABASE linli_deliberation OWNER linli;
