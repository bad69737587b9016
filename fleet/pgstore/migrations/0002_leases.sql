-- One lease per customer. The row stays after a release so that the
-- fencing token only ever grows.
create table rscgo_leases (
	customer_id text primary key,
	holder      text not null,
	token       bigint not null,
	expires_at  timestamptz not null
);
