DROP INDEX events_action;
DROP INDEX events_actor;
DROP TABLE secret_checks;
DROP TABLE opt_outs;
DROP TABLE permit_keys;
DROP TABLE permit_parties;
DROP TABLE permits;
