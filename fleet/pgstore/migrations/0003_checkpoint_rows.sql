-- A checkpoint's jobs and pending tasks become rows, so a commit writes the
-- ones that changed instead of the whole checkpoint. generation counts the
-- saves of a customer's checkpoint: a store whose last read or write is
-- the current generation may write only what changed since.
alter table rscgo_checkpoints add column generation bigint not null default 0;

create table rscgo_checkpoint_jobs (
	customer_id text not null,
	job_id      text not null,
	state       jsonb not null,
	primary key (customer_id, job_id)
);

create table rscgo_checkpoint_tasks (
	customer_id text not null,
	task        text not null,
	pending     jsonb not null,
	primary key (customer_id, task)
);

insert into rscgo_checkpoint_jobs (customer_id, job_id, state)
	select c.customer_id, j.key, j.value from rscgo_checkpoints c, jsonb_each(coalesce(c.checkpoint->'jobs', '{}')) j;
insert into rscgo_checkpoint_tasks (customer_id, task, pending)
	select c.customer_id, t.key, t.value from rscgo_checkpoints c, jsonb_each(coalesce(c.checkpoint->'tasks', '{}')) t;
update rscgo_checkpoints set checkpoint = checkpoint - 'jobs' - 'tasks';
