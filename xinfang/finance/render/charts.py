"""Chart PNGs (matplotlib, Agg backend) with a CJK font shipped by the mplfonts package."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402


@dataclass(frozen=True)
class ChartData:
    key: str
    title: str
    labels: tuple[str, ...]
    values: tuple[Decimal, ...]
    kind: str  # bar | pie


@cache
def cjk_font() -> font_manager.FontProperties:
    import mplfonts

    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path))


def render_chart(chart: ChartData, path: Path) -> Path:
    font = cjk_font()
    fig, ax = plt.subplots(figsize=(6.4, 4), dpi=100)
    values = [float(v) for v in chart.values]
    if chart.kind == "pie" and sum(values) > 0:
        shown = [(label, v) for label, v in zip(chart.labels, values, strict=True) if v > 0]
        wedges, _texts, autotexts = ax.pie(
            [v for _, v in shown],
            autopct=lambda p: f"{p:.1f}%" if p >= 2 else "",
            startangle=90,
            textprops={"fontproperties": font},
        )
        ax.legend(
            wedges,
            [f"{label} {v:g}万元" for label, v in shown],
            prop=font,
            loc="center left",
            bbox_to_anchor=(0.95, 0.5),
            frameon=False,
        )
        ax.axis("equal")
    else:
        bars = ax.bar(range(len(values)), values, color="#2f6db5")
        ax.set_xticks(range(len(values)), chart.labels, fontproperties=font)
        ax.set_ylabel("万元", fontproperties=font)
        for bar, v in zip(bars, values, strict=True):
            ax.annotate(
                f"{v:g}",
                (bar.get_x() + bar.get_width() / 2, v),
                ha="center",
                va="bottom",
                fontproperties=font,
            )
        ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(chart.title, fontproperties=font)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
