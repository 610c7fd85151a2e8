import importlib.util
from pathlib import Path

import pytest

from xinfang.accounts.services import create_api_token
from xinfang.petitions import workflow
from xinfang.petitions.models import Matter, Registration

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "api_lifecycle.py"


def load_script():
    spec = importlib.util.spec_from_file_location("api_lifecycle", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def script():
    return load_script()


def test_scenario_script_drives_the_whole_lifecycle(live_server, script, clerk, unit_officer, case_officer,
                                                    units, capsys):  # fmt: skip
    # "--opt=value": a token may start with "-", which argparse would take for an option.
    argv = [
        f"--base-url={live_server.url}",
        f"--token-clerk={create_api_token(clerk, name='联调')}",
        f"--token-unit={create_api_token(unit_officer, name='联调')}",
        f"--token-officer={create_api_token(case_officer, name='联调')}",
        f"--unit-code={units['dept'].code}",
    ]
    assert script.main(argv) == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "复核意见（终结）：已终结" in printed and "不再受理（原事项已终结）" in printed
    matter = Matter.objects.get()
    assert matter.state == workflow.TERMINATED
    assert list(matter.registrations.order_by("registered_at").values_list("disposition", flat=True)) == [
        Registration.Disposition.NEW,
        Registration.Disposition.NO_LONGER,
    ]


def test_scenario_script_fails_loudly(live_server, script, clerk, units, capsys):
    key = create_api_token(clerk, name="联调")
    argv = [f"--base-url={live_server.url}", f"--token-clerk={key}", "--token-unit=bad", "--token-officer=bad",
            f"--unit-code={units['dept'].code}"]  # fmt: skip
    assert script.main(argv) == 1
    err = capsys.readouterr().err
    assert "HTTP 401" in err and "/acknowledge" in err
