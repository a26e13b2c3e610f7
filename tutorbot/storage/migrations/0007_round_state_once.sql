-- A round is stored once. The domain's round state (topic, settings, the questions drawn and
-- skipped, the questions asked with their snapshots and clocks, when it ended) is the JSON in
-- rounds.state; the columns keep what SQL looks rounds up by or checks in a write: the channel,
-- server and host, status, the current question, its deadline, the message, the version for
-- compare-and-swap, and when it was created (which is when it started). Answers stay rows of
-- round_answers, UNIQUE per student per question.

-- A running or old round whose state was never written (or is not a state) gets one built from
-- its columns: nothing asked yet.
UPDATE rounds SET state = json_object(
    'topic_id', topic_id,
    'settings', json(settings),
    'question_ids', json(question_ids),
    'asked', json('[]')
)
WHERE CASE
    WHEN state IS NULL OR NOT json_valid(state) THEN 1
    WHEN json_type(state) IS NOT 'object' THEN 1
    WHEN json_extract(state, '$.topic_id') IS NULL THEN 1
    ELSE 0
END;

-- The questions drawn never change (answers carry a question's place in them); those a content
-- reload removed before they were asked are listed as skipped instead of dropped from the list.
-- The state's status and start are the columns', its host the host_id column's.
UPDATE rounds SET state = json_remove(
    json_set(
        state,
        '$.skipped', json((
            SELECT json_group_array(drawn.value) FROM json_each(rounds.question_ids) AS drawn
            WHERE drawn.value NOT IN (
                SELECT kept.value FROM json_each(rounds.state, '$.question_ids') AS kept
            )
        )),
        '$.question_ids', json(question_ids),
        '$.ended_at', COALESCE(json_extract(state, '$.ended_at'), ended_at)
    ),
    '$.status', '$.started_at', '$.instructor_id'
);

ALTER TABLE rounds DROP COLUMN topic_id;
ALTER TABLE rounds DROP COLUMN settings;
ALTER TABLE rounds DROP COLUMN question_ids;
ALTER TABLE rounds DROP COLUMN ended_at;
