"""Static analysis of whether a BPMN error thrown at an activity is caught (Camunda 7 rules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from worker.engine.error_catch import (
    MAX_BPMN_CHARS,
    CatchVerdict,
    InvalidBpmnError,
    Verdict,
    catches,
    parse_definition,
)

CODE = "INVALID_TO_PHONE_NUMBER_ERROR"
CAUGHT = Verdict.CAUGHT
UNCAUGHT = Verdict.UNCAUGHT_IN_PROCESS
UNKNOWN = Verdict.UNKNOWN
BPMN_DIR = Path(__file__).parent / "bpmn"

SEND = '<bpmn:serviceTask id="Task_Send" camunda:type="external" camunda:topic="SEND_SMS" />'
OTHER = '<bpmn:serviceTask id="Task_Other" camunda:type="external" camunda:topic="OTHER" />'


def definitions(process_body: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="Process_Sms" isExecutable="true">
    <bpmn:startEvent id="Start" />
    {process_body}
  </bpmn:process>
  <bpmn:error id="Error_Phone" name="Invalid phone" errorCode="{CODE}" />
  <bpmn:error id="Error_Other" name="Other" errorCode="OTHER_ERROR" />
  <bpmn:error id="Error_NoCode" name="Any error" />
  <bpmn:error id="Error_Empty" name="Empty code" errorCode="" />
  <bpmn:error id="Error_Expr" name="Expression" errorCode="${{errorCode}}" />
</bpmn:definitions>"""


def error_def(error_ref: str | None) -> str:
    ref = "" if error_ref is None else f' errorRef="{error_ref}"'
    return f"<bpmn:errorEventDefinition{ref} />"


def boundary(attached_to: str, error_ref: str | None, event_id: str = "Boundary_Error") -> str:
    return (
        f'<bpmn:boundaryEvent id="{event_id}" attachedToRef="{attached_to}">'
        f"{error_def(error_ref)}</bpmn:boundaryEvent>"
    )


def event_subprocess(sub_id: str, error_ref: str | None, body: str = "") -> str:
    return (
        f'<bpmn:subProcess id="{sub_id}" triggeredByEvent="true">'
        f'<bpmn:startEvent id="{sub_id}_Start">{error_def(error_ref)}</bpmn:startEvent>'
        f"{body}</bpmn:subProcess>"
    )


def subprocess(sub_id: str, body: str, tag: str = "subProcess") -> str:
    return f'<bpmn:{tag} id="{sub_id}">{body}</bpmn:{tag}>'


def check(process_body: str, activity: str = "Task_Send", code: str = CODE) -> CatchVerdict:
    return catches(parse_definition(definitions(process_body)), activity, code)


@pytest.mark.parametrize(
    ("error_ref", "expected"),
    [
        pytest.param("Error_Phone", CAUGHT, id="matching-code"),
        pytest.param("Error_Other", UNCAUGHT, id="different-code"),
        pytest.param(None, CAUGHT, id="no-errorRef-catches-all"),
        pytest.param("Error_NoCode", CAUGHT, id="error-without-errorCode-catches-all"),
        pytest.param("Error_Empty", UNCAUGHT, id="empty-errorCode-is-not-catch-all"),
        pytest.param(CODE, CAUGHT, id="unresolved-errorRef-is-the-code"),
        pytest.param("Error_Missing", UNCAUGHT, id="unresolved-errorRef-other-code"),
    ],
)
def test_error_boundary_on_the_activity(error_ref: str | None, expected: Verdict) -> None:
    assert check(SEND + boundary("Task_Send", error_ref)).verdict is expected


def test_caught_reason_names_event_activity_and_code() -> None:
    result = check(SEND + boundary("Task_Send", "Error_Phone", "BoundaryEvent_1"))
    reason = f"boundary event 'BoundaryEvent_1' on 'Task_Send' catches {CODE}"
    assert result == CatchVerdict(CAUGHT, reason)


def test_uncaught_reason_names_process_and_activity() -> None:
    reason = f"nothing in process 'Process_Sms' catches {CODE} thrown at 'Task_Send'"
    assert check(SEND).reason == reason


@pytest.mark.parametrize("tag", ["subProcess", "transaction"])
def test_boundary_on_enclosing_scope_catches(tag: str) -> None:
    nested = subprocess("Sub_Outer", subprocess("Sub_Inner", SEND, tag))
    assert check(nested + boundary("Sub_Outer", "Error_Phone")).verdict is CAUGHT


def test_boundary_on_another_task_does_not_catch() -> None:
    assert check(SEND + OTHER + boundary("Task_Other", None)).verdict is UNCAUGHT


def test_non_error_boundary_does_not_catch() -> None:
    timer = (
        '<bpmn:boundaryEvent id="Boundary_Timer" attachedToRef="Task_Send">'
        "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration>"
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
    )
    assert check(SEND + timer).verdict is UNCAUGHT


def test_event_subprocess_at_process_level_catches_from_nested_activity() -> None:
    body = subprocess("Sub_1", subprocess("Sub_2", SEND)) + event_subprocess("Esp", "Error_Phone")
    assert check(body).verdict is CAUGHT


def test_event_subprocess_with_other_code_does_not_catch() -> None:
    assert check(SEND + event_subprocess("Esp", "Error_Other")).verdict is UNCAUGHT


def test_event_subprocess_inside_enclosing_subprocess_catches() -> None:
    body = subprocess("Sub_1", SEND + event_subprocess("Esp", None))
    assert check(body).verdict is CAUGHT


def test_event_subprocess_in_sibling_subprocess_does_not_catch() -> None:
    sibling = subprocess("Sub_Other", OTHER + event_subprocess("Esp", None))
    body = subprocess("Sub_Send", SEND) + sibling
    assert check(body).verdict is UNCAUGHT


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(event_subprocess("Esp", None, SEND), UNCAUGHT, id="own-event-subprocess-no"),
        pytest.param(
            event_subprocess("Esp", None, SEND) + event_subprocess("Esp_2", "Error_Phone"),
            CAUGHT,
            id="sibling-event-subprocess",
        ),
        pytest.param(
            event_subprocess("Esp", "Error_Other", SEND + event_subprocess("Esp_In", None)),
            CAUGHT,
            id="nested-event-subprocess",
        ),
        pytest.param(
            subprocess("Sub", event_subprocess("Esp", None, SEND)) + boundary("Sub", None),
            CAUGHT,
            id="boundary-on-enclosing-subprocess",
        ),
    ],
)
def test_activity_inside_event_subprocess(body: str, expected: Verdict) -> None:
    assert check(body).verdict is expected


def test_multi_instance_activity_boundary_catches() -> None:
    multi = (
        '<bpmn:serviceTask id="Task_Send" camunda:type="external" camunda:topic="SEND_SMS">'
        '<bpmn:multiInstanceLoopCharacteristics camunda:collection="${phones}" '
        'camunda:elementVariable="phone" /></bpmn:serviceTask>'
    )
    assert check(multi + boundary("Task_Send", "Error_Phone")).verdict is CAUGHT


def test_camunda_error_event_definition_on_the_task_is_not_a_catch() -> None:
    # camunda:errorEventDefinition throws on completion; it does not catch anything.
    task = (
        '<bpmn:serviceTask id="Task_Send" camunda:type="external" camunda:topic="SEND_SMS">'
        "<bpmn:extensionElements>"
        '<camunda:errorEventDefinition id="Throw_1" errorRef="Error_Phone" expression="${true}" />'
        "</bpmn:extensionElements></bpmn:serviceTask>"
    )
    assert check(task).verdict is UNCAUGHT


def test_call_activity_is_checked_like_any_activity() -> None:
    call = '<bpmn:callActivity id="Call_SendSms" calledElement="Process_Child" />'
    result = check(call + boundary("Call_SendSms", "Error_Phone"), activity="Call_SendSms")
    assert result.verdict is CAUGHT


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(SEND + boundary("Task_Send", "Error_Expr"), UNKNOWN, id="expression"),
        pytest.param(
            SEND + boundary("Task_Send", "#{code}"), UNKNOWN, id="unresolved-ref-expression"
        ),
        pytest.param(
            subprocess("Sub", SEND + boundary("Task_Send", "Error_Expr"))
            + boundary("Sub", None, "Boundary_Sub"),
            CAUGHT,
            id="something-further-out-certainly-catches",
        ),
    ],
)
def test_expression_error_code(body: str, expected: Verdict) -> None:
    assert check(body).verdict is expected


def test_expression_reason_shows_the_expression() -> None:
    assert "${errorCode}" in check(SEND + boundary("Task_Send", "Error_Expr")).reason


def test_missing_activity_is_unknown() -> None:
    result = check(SEND + boundary("Task_Send", None), activity="Task_Gone")
    assert result == CatchVerdict(UNKNOWN, "activity 'Task_Gone' not found in the BPMN")


@pytest.mark.parametrize(
    ("activity", "expected"),
    [
        pytest.param("Task_Send", UNCAUGHT, id="other-process-handlers-ignored"),
        pytest.param("Task_Audit", CAUGHT, id="own-process-boundary"),
    ],
)
def test_collaboration_only_the_activitys_own_process_counts(
    activity: str, expected: Verdict
) -> None:
    model = parse_definition((BPMN_DIR / "collaboration.bpmn").read_text(encoding="utf-8"))
    assert catches(model, activity, CODE).verdict is expected


def test_model_is_reusable_across_queries() -> None:
    model = parse_definition(definitions(SEND + boundary("Task_Send", "Error_Phone")))
    assert catches(model, "Task_Send", CODE).verdict is CAUGHT
    assert catches(model, "Task_Send", "OTHER_ERROR").verdict is UNCAUGHT


LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol2;</bpmn:definitions>
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("<bpmn:definitions", "not well-formed", id="malformed"),
        pytest.param("", "not well-formed", id="empty"),
        pytest.param(LAUGHS, "DOCTYPE", id="doctype"),
        pytest.param("<definitions/>", "root element", id="not-bpmn"),
        pytest.param(" " * (MAX_BPMN_CHARS + 1), "limit", id="too-large"),
        pytest.param(definitions(SEND + SEND), "duplicate element id 'Task_Send'", id="dup-id"),
        pytest.param(
            definitions('<bpmn:task id="Process_Sms" />'), "duplicate", id="task-id-is-process-id"
        ),
    ],
)
def test_unanalysable_input_raises_invalid_bpmn_error(text: str, message: str) -> None:
    with pytest.raises(InvalidBpmnError, match=message):
        parse_definition(text)


def test_invalid_bpmn_error_is_a_value_error() -> None:
    assert issubclass(InvalidBpmnError, ValueError)
