-- The five stores of rscgo: one row per customer for documents the
-- engine replaces whole, one row per record for dead letters and events.
create table rscgo_checkpoints (
	customer_id text primary key,
	checkpoint  jsonb not null,
	saved_at    timestamptz not null default now()
);

create table rscgo_dead_letters (
	customer_id text not null,
	key         text not null,
	letter      jsonb not null,
	primary key (customer_id, key)
);

create table rscgo_onboarding_states (
	customer_id text primary key,
	state       jsonb not null
);

create table rscgo_inmail_cursors (
	customer_id text primary key,
	cursors     jsonb not null
);

create table rscgo_milestone_events (
	customer_id text not null,
	milestone   int not null,
	seq         bigserial not null,
	event       jsonb not null,
	primary key (customer_id, milestone)
);
