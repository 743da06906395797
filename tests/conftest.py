"""Shared fixtures: a fresh database per test (SQLite by default, PostgreSQL when LIF_TEST_POSTGRES_URL is
set), a fixed aware ``now``, actors for each role, and helpers to deploy fixture bundles."""
from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from functools import cache

# Every workflow dump in the test suite is checked against SpiffWorkflow's own full serialization: the sessions
# of ``factory`` carry it (VERIFIED), and so do apps and commands built from ``Config.from_env()``.
# LIF_SPIFF_FAST_PATHS=0 runs the suite on the library's own serialization and walks.
os.environ.setdefault("LIF_VERIFY_DUMPS", "1")
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from engine.bundles import definitions
from engine.bundles import parsing as bundle_parsing
from engine.cases import runtime
from engine.config import StepSettings
from engine.people import accounts
from engine.records import Actor
from engine.store.db import make_engine, make_session_factory, transaction
from engine.store.schema import create_schema

FIXTURES = Path(__file__).parent / "fixtures" / "bundles"
REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday
VERIFIED = StepSettings(verify_dumps=True,  # the default limits, every dump checked
                        spiff_fast_paths=os.environ.get("LIF_SPIFF_FAST_PATHS", "1") != "0",
                        child_match_secret="the-test-suite-child-match-secret-0123456789")


def pytest_report_header(config):
    return _database_line()


def pytest_terminal_summary(terminalreporter):
    """The databases the run used, in one line even under ``-q`` (which hides the report header): a run without
    PostgreSQL says so instead of leaving its tests out silently."""
    terminalreporter.write_line(_database_line())


def _database_line() -> str:
    if os.environ.get("LIF_TEST_POSTGRES_URL"):
        return "databases: SQLite and PostgreSQL (LIF_TEST_POSTGRES_URL)"
    return "databases: SQLite only; PostgreSQL not configured (set LIF_TEST_POSTGRES_URL to run on it too)"


def _database_urls() -> list[str]:
    urls = ["sqlite"]
    if os.environ.get("LIF_TEST_POSTGRES_URL"):
        urls.append("postgresql")
    return urls


@pytest.fixture(params=_database_urls())
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'lif.sqlite3'}"
        return
    base = os.environ["LIF_TEST_POSTGRES_URL"]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@cache
def _sqlite_template() -> Path:
    """An SQLite database with the schema, made once a test process: a test's database is a copy of it (about 1 ms
    against 25 ms to create the tables and triggers each time)."""
    path = Path(tempfile.mkdtemp(prefix="lif-schema-")) / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    engine.dispose()
    return path


@pytest.fixture
def db(db_url):
    sqlite_file = Path(db_url.removeprefix("sqlite:///")) if db_url.startswith("sqlite:///") else None
    copied = sqlite_file is not None and not sqlite_file.exists()
    if copied:
        shutil.copyfile(_sqlite_template(), sqlite_file)
    engine = make_engine(db_url)
    if not copied:
        create_schema(engine)
    runtime.WORKFLOWS.clear()
    yield engine
    runtime.WORKFLOWS.clear()
    engine.dispose()


@pytest.fixture
def restore_every_step():
    """Force every step to restore the workflow from its stored JSON (save and restore between steps)."""
    runtime.WORKFLOWS.enabled = False
    yield
    runtime.WORKFLOWS.enabled = True


@pytest.fixture
def factory(db):
    return make_session_factory(db, VERIFIED)


@pytest.fixture
def session(factory):
    """A session inside one transaction, rolled back at the end."""
    s = factory()
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def now():
    return NOW


# The partnership's users: (username, role, agency), and each one's password.
USERS = [("cora", "coordinator", None), ("chad", "chair", None), ("dee", "designer", None), ("adam", "admin", None),
         ("pat", "reviewer", "police"), ("sam", "reviewer", "csc"), ("hana", "reviewer", "health"),
         ("lena", "partner", "csc"), ("ivy", "partner", "health"), ("paul", "partner", "police"),
         ("scot", "scrutineer", None)]
PASSWORDS = {"cora": "coordinator-pass", "chad": "chair-pass-1", "dee": "designer-pass", "adam": "admin-pass-1",
             "pat": "reviewer-pass", "sam": "reviewer-pass", "hana": "reviewer-pass", "lena": "partner-pass",
             "ivy": "partner-pass", "paul": "partner-pass", "scot": "scrutineer-pass"}
AGENCIES = [("police", "Police"), ("csc", "Children's Social Care"), ("health", "Health Trust")]
# The statutory partners: children's social care for the local authority, the health trust standing in for the
# integrated care board, and the police; each with a partner (a delegated safeguarding lead).
PARTNER_KINDS = {"csc": "la", "health": "icb", "police": "police"}
PARTNERS = {"csc": "lena", "health": "ivy", "police": "paul"}
BY_ROLE = {"coordinator": "cora", "chair": "chad", "designer": "dee", "admin": "adam", "police": "pat", "csc": "sam",
           "health": "hana", "scrutineer": "scot", **{f"partner:{a}": u for a, u in PARTNERS.items()}}


@cache
def _parsed(key, content_hash, files_items):
    return bundle_parsing.parse_bundle(key, dict(files_items))


def parse_once(key, files):
    """``parse_bundle`` for deploys, once per bundle content in a test process: the checks (JSON Schema's
    meta-schema, views, templates) cost about 0.3 s a bundle, and hundreds of tests deploy the same six. A bundle
    that is refused raises every time (an exception is never cached)."""
    return _parsed(key, bundle_parsing.content_hash(files), tuple(sorted(files.items())))


@pytest.fixture(autouse=True)
def bundles_parsed_once(monkeypatch):
    monkeypatch.setattr(definitions, "parse_bundle", parse_once)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Real argon2id, with its smallest costs: at the default cost each partnership (seven users) and each
    sign-in would take about a second. Tests that count or slow the hashing put their own hasher in place."""
    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def partnership(factory):
    """Three agencies, each a statutory partner, and one user per role (a reviewer and a partner for each agency);
    their actors keyed by role, by agency for the reviewers (``partnership["police"]`` is pat), and as
    ``partner:<agency>`` for the partners (``partnership["partner:police"]`` is paul)."""
    with transaction(factory) as s:
        for key, name in AGENCIES:
            accounts.add_agency(s, key, name, actor=None, now=NOW)
            accounts.set_partner_kind(s, key, PARTNER_KINDS[key], actor=None, now=NOW)
        for username, role, agency in USERS:
            accounts.add_user(s, username, roles=[role], agency_key=agency, password=PASSWORDS[username],
                              actor=None, now=NOW)
    actors = {username: Actor(username, frozenset({role}), agency) for username, role, agency in USERS}
    return {key: actors[username] for key, username in BY_ROLE.items()}


@pytest.fixture
def deploy(factory):
    """Deploy a fixture bundle by folder name (or a path); returns its DefinitionInfo."""
    def _deploy(name_or_path, key=None):
        path = Path(name_or_path) if os.sep in str(name_or_path) else FIXTURES / name_or_path
        from engine.bundles.parsing import read_bundle_dir
        with transaction(factory) as s:
            info, _ = definitions.deploy_bundle(s, key or path.name, read_bundle_dir(path), actor="dee", now=NOW)
        return info
    return _deploy


# Long parametrised families whose cases each cost a deploy, a case run or a page request: in make test each runs
# its first case (per database), and make test-ci (the slow stage) runs every case, so make test stays within 4
# minutes. (tests/security/conftest.py does the same for whole modules of refused input.)
FIRST_CASE_ONLY = frozenset({
    "test_action_plan.py::test_hand_over_raise_and_continue",
    "test_scr_dmn.py::test_each_row_decides_its_case",
    "test_cdop_referral.py::test_a_case_is_referred_at_most_once_at_the_first_suspicion",
    "test_cdop_dates.py::test_agency_reports_and_family_views_are_due_three_weeks_later_on_a_working_day",
    "test_cdop.py::test_a_joint_agency_response_follows_only_an_unexpected_death_that_meets_its_criteria",
    "test_cdop.py::test_the_cdr_partners_respond_to_the_recommendations",
    "test_scr_wt2023.py::test_rapid_review_clocks_skip_weekends_and_bank_holidays",
    "test_step_failures.py::test_any_script_failure_puts_the_case_in_error_and_a_retry_answers",
    "test_message_owners.py::test_the_shipped_messages_flow_whatever_the_deploy_order",
    "test_message_owners.py::test_a_siphon_catching_another_process_message_is_refused_storing_nothing",
    "test_documents_api.py::test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_stored",
    "test_documents_api.py::test_downloads_follow_what_each_user_may_see_of_the_case",
    "test_retention_api.py::test_a_hold_or_release_without_a_reason_is_refused",
    "test_retention_engine.py::test_deploy_refuses_a_malformed_retention_policy",
    "test_api_definitions.py::test_deploy_invalid_bundle_is_422_with_file_and_line",
    "test_api_instances.py::test_cancel_without_a_proper_reason_is_422_and_changes_nothing",
    "test_api_instances.py::test_list_instances_with_bad_paging_or_flag_is_400",
    "test_api_instances.py::test_start_request_failing_schema_is_422",
    "test_api_task_completion.py::test_comment_failing_schema_is_422",
    "test_api_tasks.py::test_assign_by_non_coordinator_is_403_and_changes_nothing",
    "test_web_navigation.py::test_start_a_case_is_offered_to_whoever_may_start_something",
    "test_web_lists.py::test_search_by_reference_pseudonym_urn_or_title",
    "test_web_start.py::test_start_answers_missing_or_wrong_are_gov_uk_errors_and_create_nothing",
    "test_web_withdraw.py::test_a_case_someone_else_touched_cannot_be_withdrawn",
    "test_scr_wt2023.py::test_special_routes",
    "test_cdop_preventability.py::test_the_panel_gives_scores_and_the_case_keeps_what_they_mean",
    "test_api_deadlines.py::test_extend_with_bad_request_is_422_and_changes_nothing",
    "test_step_failures.py::test_any_condition_failure_puts_the_case_in_error_and_a_retry_answers",
    "test_message_owners.py::test_only_admins_manage_message_pairings",
    "test_api_messages.py::test_message_from_non_coordinator_is_403",
    "test_api_messages.py::test_message_failing_schema_is_422_and_delivers_nothing",
    "test_api_tasks.py::test_list_tasks_with_bad_filter_or_paging_is_400",
    "test_api_task_completion.py::test_draft_request_failing_schema_is_422",
    "test_documents_api.py::test_each_allowed_kind_is_stored_and_sent_as_the_type_its_content_proves",
    "test_documents_api.py::test_only_someone_who_may_do_the_task_uploads_to_it",
    "test_documents_clamd.py::test_a_clean_file_of_each_kind_passes_the_scan",
    "test_web_chasing.py::test_only_coordinators_chase",
    "test_web_admin.py::test_admin_pages_are_for_admins_only",
    "test_retention_pages.py::test_the_retention_pages_are_for_coordinators",
    "test_redos.py::test_a_pattern_re2_cannot_compile_is_refused_at_deploy_naming_file_and_field",
    "test_web_case_summary.py::test_the_summary_has_no_json_none_or_keys",
    "test_web_lists.py::test_every_cell_of_the_cases_list_reads_as_words",
    "test_scr.py::test_family_involvement_follows_the_set_up",
    "test_scr_wt2023.py::test_the_panel_asks_questions_and_the_rapid_review_goes_again",
    "test_retention_pages.py::test_a_hold_without_a_reason_is_explained",
    "test_api_instances.py::test_list_instances_filtered_by_status",
    # issue 14's families: one case each in make test, every case in make test-ci
    "test_web_learning.py::test_each_reader_sees_their_lessons_and_downloads_the_same_rows",
    "test_web_learning.py::test_every_filter_and_the_downloads_carry_it",
    "test_web_learning.py::test_a_bad_filter_is_named_in_an_error_summary",
    "test_web_plan_changes.py::test_parts_never_appear_in_any_list",
    "test_learning_log.py::test_each_process_puts_its_lessons_in_the_log",
    "test_learning_log.py::test_each_reader_sees_the_lessons_of_their_agency_and_of_their_cases",
    "test_api_learning.py::test_a_bad_parameter_is_400_naming_it_and_changes_nothing",
    "test_api_learning.py::test_each_role_gets_what_it_may_see_in_every_format",
    "test_actions_api.py::test_an_unknown_parameter_or_a_bad_value_is_400_naming_it_and_changes_nothing",
    "test_actions_pages.py::test_a_filter_that_cannot_be_read_is_an_error_summary_naming_it",
    "test_actions_pages.py::test_every_filter_on_the_page",
    "test_plan_changes.py::test_bad_actions_are_refused_naming_the_field_and_change_nothing",
    "test_plan_changes.py::test_bad_replans_are_refused_naming_the_field_and_change_nothing",
    "test_annual_exports.py::test_a_bad_or_unknown_parameter_is_a_400_naming_it",
    "test_annual_exports.py::test_only_coordinators_and_chairs_get_the_pack",
    "test_annual_figures.py::test_a_year_that_is_not_a_whole_number_from_2000_to_next_year_is_refused",
    "test_compliance_pages.py::test_the_api_refuses_a_bad_date_or_an_unknown_parameter_naming_it",
    "test_compliance_pages.py::test_the_api_is_for_coordinators_chairs_the_scrutineer_and_partners",
    # issue 15's families (the designer)
    "test_api_designer_bundles.py::test_a_spiff_arena_folder_or_flat_zip_deploys_as_a_new_process",
    "test_api_designer_bundles.py::test_each_unsafe_zip_is_refused_before_any_file_is_read",
    "test_api_designer_drafts.py::test_a_file_name_that_is_not_plain_is_422",
    "test_api_designer_drafts.py::test_other_roles_get_403",
    "test_api_designer_migration.py::test_only_designers_and_admins_may_ask_or_move",
    "test_designer_bundles_foreign.py::test_deploy_and_zip_import_refuse_with_the_same_reasons_and_write_nothing",
    "test_designer_check.py::test_seeds_out_of_range_are_refused",
    "test_designer_migration.py::test_only_designers_and_admins_preview_or_move",
    "test_designer_open_files.py::test_another_tools_export_opens_in_the_editor_and_validate_lists_what_cannot_run",
    "test_designer_open_files.py::test_only_designers_and_admins_open_files",
    "test_designer_open_files.py::test_a_bad_upload_changes_nothing_and_says_why",
    # earlier families that cost the most in make test (the wall-clock ones: make test runs "timing and not slow")
    "test_runaway_code.py::test_runaway_expression_is_stopped_within_the_limit_without_growing_the_server",
    "test_runaway_templates.py::test_runaway_template_is_stopped_within_the_limit_without_growing_the_server",
    "test_runaway_templates.py::test_runaway_form_schema_is_a_form_error",
    "test_marker_leaks.py::test_no_agency_reads_another_agencys_answers",
    "test_sign_in.py::test_failed_sign_ins_are_audited_in_aggregate",
    "test_sign_in_spread.py::test_a_spread_attack_delays_new_addresses_but_not_the_owners",
    "test_sign_in.py::test_failures_on_one_account_from_one_address_wait_longer_each_time",
    "test_runaway_code.py::test_a_result_that_would_grow_when_stored_is_refused_in_the_worker",
})


# Whole tests that run in make test-ci only: the longest page tests, whose pages and rules other tests of make test
# also reach (make test stays within 4 minutes on two cores).
CI_ONLY = frozenset({
    "test_web_inactive_names.py::test_a_leaver_is_still_named_on_their_completed_return",
    "test_web_dashboard.py::test_dashboard_pages_with_links",
    "test_web_withdraw.py::test_the_starter_withdraws_an_untouched_case_and_its_history_stays",
    "test_web_plan_changes.py::test_a_part_and_its_tasks_name_the_plan",
    "test_web_long_forms.py::test_problems_on_completion_link_to_the_page_and_field",
    "test_web_lists.py::test_cases_export_follows_the_filters_in_words",
    "test_web_tasks.py::test_comments_are_listed_and_added",
    "test_web_instances.py::test_pause_resume_and_cancel",
    "test_web_tasks.py::test_completing_twice_is_a_conflict_message",
    "test_release_binding.py::test_the_pages_release_to_the_binding_and_offer_no_release_of_a_task_bound_to_you",
    "test_web_dashboard.py::test_filters_by_process_status_agency_and_overdue",
    "test_web_long_forms.py::test_a_long_form_shows_one_section_per_page",
    "test_web_instances.py::test_retry_a_case_in_error",
    "test_web_case_summary.py::test_the_coordinator_reads_every_step_in_words",
    "test_web_long_forms.py::test_continue_saves_the_page_into_the_draft_and_goes_to_the_next",
    "test_web_dashboard.py::test_a_reviewer_sees_only_cases_they_take_part_in",
    "test_web_long_forms.py::test_a_later_page_keeps_the_instructions_folded_and_drops_settled_hints",
    "test_web_case_summary.py::test_the_path_taken_is_marked_for_those_who_see_the_whole_case",
    "test_web_long_forms.py::test_continue_with_problems_shows_them_on_its_page_linked_to_the_field",
    "test_web_long_forms.py::test_check_answers_leaves_out_questions_not_asked",
    "test_designer_bundles.py::test_history_diff_page_and_zip_upload_form",
    "test_api_designer_bundles.py::test_zip_round_trip_gives_identical_files_and_deploys_unchanged",
    "test_designer_editor.py::test_deploy_a_draft_makes_the_next_version",
    "test_web_learning.py::test_only_coordinators_manage_themes",
    "test_web_tasks.py::test_completing_a_valid_form_completes_the_task",
    "test_web_start.py::test_starting_a_case_stores_the_answers_and_opens_its_first_task",
    "test_annual_figures.py::test_the_review_type_is_the_one_decided_by_the_end_of_the_year",
    "test_scr_wt2023.py::test_a_panel_response_for_another_case_does_not_reach_this_one",
    "test_compliance_returns.py::test_reviews_published_within_6_months_of_initiation",
    # the longest wall-clock tests (make test runs "timing and not slow"); their families keep other cases there
    "test_script_limits_config.py::test_lif_tick_stops_a_runaway_script_near_the_configured_limit",
    "test_runaway_code.py::test_several_runaway_cases_at_once_wait_for_workers_within_their_own_limit",
    "test_runaway_code.py::test_a_bounded_expression_over_big_case_data_runs_in_the_worker",
    # the longest of the fast suite (1 to 6 s each), so that `make test` keeps within its 4 minutes (issue 16)
    "test_message_owners.py::test_the_shipped_messages_flow_whatever_the_deploy_order",
    "test_web_suggested.py::test_the_screening_does_not_choose_the_notification_but_suggests_it",
    "test_web_timeline_words.py::test_every_action_a_case_records_has_words_or_is_hidden",
    "test_web_tasks.py::test_task_page_shows_form_instructions_and_case_context",
    "test_plan_changes.py::test_every_way_an_action_closes_tells_the_plan",
    "test_web_long_forms.py::test_a_completed_task_shows_its_answers_names_and_dates_in_words",
    "test_web_lists.py::test_returns_board_exports",
    "test_web_learning.py::test_a_lesson_of_a_task_whose_view_shows_the_lessons_in_every_form",
    "test_web_lists.py::test_search_finds_nothing_and_says_so_and_audits_no_words",
    "test_web_tasks.py::test_instructions_are_sanitised",
    "test_web_notices.py::test_one_notice_is_counted_in_the_singular",
    "test_release_binding.py::test_an_agency_task_released_goes_back_to_its_agency_only",
    "test_web_learning.py::test_administrators_and_designers_have_no_learning_log",
    "test_web_tasks.py::test_a_colleague_cannot_do_a_task_claimed_by_someone_else",
    "test_scr.py::test_report_deadlines_count_calendar_months_from_initiation",
    "test_web_tasks.py::test_the_side_panel_names_the_process_role_and_person",
    "test_web_tasks.py::test_a_new_form_has_no_answer_chosen_and_a_nil_return_is_a_tick_box",
    "test_step_failures.py::test_refused_statements_deployed_before_the_check_fail_safely",
    "test_sign_in.py::test_failed_sign_ins_are_audited_in_aggregate",
    "test_web_long_forms.py::test_completing_from_check_answers_sends_the_saved_answers",
    "test_release_binding.py::test_release_after_a_reassign_returns_the_task_to_the_new_assignee",
    "test_web_plan_changes.py::test_plan_changes_api",
    "test_sign_in_spread.py::test_a_spread_attack_delays_new_addresses_but_not_the_owners",
    "test_web_long_forms.py::test_a_field_asked_by_one_answer_is_revealed_under_it",
    "test_annual_figures.py::test_cases_count_in_the_year_they_start_and_stay_open_until_they_end",
    "test_web_long_forms.py::test_a_ready_task_someone_else_does_shows_the_answers_so_far",
    "test_release_binding.py::test_the_pages_release_an_agency_task_to_its_agency",
    "test_section11.py::test_cycle_with_ratings_nil_return_peer_review_and_board_plan",
    "test_documents_pages.py::test_a_file_field_is_a_govuk_file_upload_in_a_multipart_form",
    "test_web_instances.py::test_comment_on_a_step_from_the_case_page",
    "test_action_plan_story.py::test_plan_from_handover_to_closure",
    "test_case_audit.py::test_audit_end_to_end_with_a_given_seed",
    "test_web_start.py::test_start_asks_for_which_child_and_why_before_creating_the_case",
    "test_compliance_returns.py::test_case_audit_grades_by_month_across_the_year_boundary",
    "test_web_tasks.py::test_save_draft_keeps_the_answers",
    "test_learning_log.py::test_each_process_puts_its_lessons_in_the_log",
    "test_documents_pages.py::test_an_unreachable_scanner_comes_back_503_at_the_field",
    "test_designer_forms.py::test_what_is_not_json_is_400",
    "test_annual_figures.py::test_a_year_without_work_gives_zeros_for_every_process",
    "test_web_tasks.py::test_an_empty_report_lists_each_question_it_needs_linked_to_its_input",
    "test_learning_log.py::test_a_retired_theme_is_refused_and_the_lessons_filed_under_it_keep_it",
    "test_web_timeline_words.py::test_the_page_shows_each_coordinators_action_in_words",
    "test_sessions.py::test_a_session_ends_eight_hours_after_sign_in_however_busy",
    "test_web_chasing.py::test_nothing_overdue_says_so",
    "test_web_lists.py::test_a_plan_counts_its_overdue_actions_and_sorts_by_them",
    "test_cdop_referral.py::test_suspected_first_at_the_panel_refers_with_the_review_date",
    "test_web_start.py::test_starting_a_case_whose_first_step_is_someone_elses_shows_the_case",
    "test_passwords.py::test_the_admin_pages_apply_the_policy",
    "test_compliance_pages.py::test_the_api_gives_every_measure_with_its_numbers_cases_breakdowns_and_notes",
    "test_web_instances.py::test_a_reviewer_outside_the_case_gets_404",
    "test_case_roles.py::test_notices_about_cases_are_hidden_from_admins",
    "test_views_everywhere.py::test_search_matches_the_header_of_visible_cases_only",
})


TIMING_DIR = REPO / "tests" / "security"


@pytest.hookimpl(tryfirst=True)  # before ``-m "not slow"`` deselects
def pytest_collection_modifyitems(config, items):
    seen: set[tuple[str, str]] = set()
    for item in items:
        if item.get_closest_marker("timing") and TIMING_DIR not in Path(str(item.path)).parents:
            raise pytest.UsageError(f"{item.nodeid}: wall-clock tests live in {TIMING_DIR.relative_to(REPO)} "
                                    "(the Makefile's timing stages collect only that folder)")
        if f"{Path(str(item.path)).name}::{item.originalname}" in CI_ONLY:
            item.add_marker(pytest.mark.slow)
            continue
        callspec = getattr(item, "callspec", None)
        if callspec is None or f"{Path(str(item.path)).name}::{item.originalname}" not in FIRST_CASE_ONLY:
            continue
        family = (f"{item.path}::{item.originalname}", str(callspec.params.get("db_url", "")))
        if family in seen:
            item.add_marker(pytest.mark.slow)
        seen.add(family)
