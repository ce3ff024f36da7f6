DROP TABLE committee_members;
DROP TABLE committee_publishers;
DROP TABLE committees;
DROP TABLE publishers;
DROP TABLE event_chain_head;
DROP TABLE events;
