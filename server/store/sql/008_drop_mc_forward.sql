-- 008: drop mc_forward (003, redefined in 004). Forwarding is a workflow
-- action like the others: the transition table (server/rules/actions.c)
-- decides it from status 2 only, and mc_action applies it; mc_forward still
-- allowed status 4 and was reached only from tests. One rule, one place.
DROP FUNCTION IF EXISTS mc_forward(text, text, text, text, text, bigint, bigint);
