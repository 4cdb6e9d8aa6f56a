"""Catching unit plans copied from the city plan or from each other (照搬照抄).

A plan's `similarity` to a base plan is the share of the plan's normalised text (unit and place
names replaced by one placeholder, white space, punctuation and symbols dropped, full-width ASCII
folded) that is covered by passages of `MIN_LEN` or more characters also found in the base: the
union of the plan's `MIN_LEN`-character windows that occur in the base, divided by its length.
`COPIED_AT` and over is `copied`, `PARTIAL_AT` and over `partial`, anything less `original`.

`compare` checks one plan against one base exactly. `PlanIndex` finds every related pair in a
corpus: one-permutation MinHash over `MIN_LEN`-character shingles, LSH banding for candidates, a
full-signature estimate to prune them, then the same exact check as `compare` on each survivor.

Name matching is heuristic (Chinese has no word boundaries): a generic name is a two-character
stem followed by an administrative or police suffix (江州市, 临川县公安局, 东湖分局, 城关派出所,
阳光社区), chained pieces (江州市公安局东湖分局) become one placeholder, and level or scope words
(市局, 县局, 我局, 全市, 各县局, 市级) become one too. Stems never start or end with common
function characters (的, 在, 各, 全, ...), are never common two-character words (开展, 辖区,
平安, ...), and suffixes followed by a character that makes an ordinary word (市场, 区别, 村民)
do not count. The trade-off: names of three or more characters keep their first characters
(乌鲁木齐市 → 乌鲁 + placeholder) and an odd ordinary phrase is eaten; both only cost a character
or two of similarity, because every copy is normalised the same way. Callers who know the real
unit and place names should pass them as `names`, which always win.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any, Generic, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

MIN_LEN = 15
"""A shared passage counts from this many normalised characters."""
COPIED_AT = 0.8
"""Similarity from which a plan is `copied`."""
PARTIAL_AT = 0.3
"""Similarity from which a plan is `partial`."""
PLACEHOLDER = "\ue000"
"""The private-use character every unit or place name becomes."""

Int32Array = npt.NDArray[np.int32]
UInt32Array = npt.NDArray[np.uint32]
UInt64Array = npt.NDArray[np.uint64]
K = TypeVar("K", bound=Hashable)


class Verdict(StrEnum):
    """What the similarity says about a plan."""

    COPIED = "copied"
    PARTIAL = "partial"
    ORIGINAL = "original"


def verdict_for(*, similarity: float) -> Verdict:
    """The verdict for a similarity: `copied` from 0.8, `partial` from 0.3, else `original`."""
    if similarity >= COPIED_AT:
        return Verdict.COPIED
    if similarity >= PARTIAL_AT:
        return Verdict.PARTIAL
    return Verdict.ORIGINAL


# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Normalized:
    """A plan's text as compared, with each character's span `[offsets[i], ends[i])` in the
    original text (a name placeholder spans the whole name)."""

    text: str
    offsets: Int32Array
    ends: Int32Array

    def __len__(self) -> int:
        return len(self.text)

    def original_span(self, *, start: int, end: int) -> tuple[int, int]:
        """The original-text span `[s, e)` of the normalised characters `[start, end)`."""
        if end <= start:
            offset = int(self.offsets[start]) if start < len(self.text) else self._source_end()
            return offset, offset
        return int(self.offsets[start]), int(self.ends[end - 1])

    def _source_end(self) -> int:
        return int(self.ends[-1]) if len(self.ends) else 0


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Characters a generic name stem never contains (function words, scope words, motion verbs).
_FUNC = (
    "的了在与及对向为把被将到从按以是各全本我该其等要并或由给让使"
    "也都又就还这那此每个所之着过进入驻赴式型和同报送经请交"
)
# Two-character words that precede a suffix character without being a name.
_STOP_STEMS = _words(
    "开展 深入 走访 加强 联系 覆盖 依托 结合 建立 推进 落实 组织 围绕 面向 服务 所有 城乡 "
    "基层 农村 城市 重点 全体 包括 涉及 派驻 下沉 辐射 延伸 扎根 管辖 责任 治安 相关 有关 "
    "其他 周边 广大 全面 整个 偏远 边远 老旧 新建 居民 乡镇 街道 社区 辖区 地区 警务 平安 "
    "和谐 文明 智慧 示范 试点 枫桥 星级 模范 标准 规范 优秀 先进 达标 本地 外地 当地 属地 "
    "所属 上级 下级 同级 公安 人民 机关 单位 部门 工作 活动 行动 专项 集中 创建 打造 争创 "
    "评选 命名 美丽 和美 宜居 无毒 无邪 绿色 安全 重要 主要 有效 实现 确保 提升 进一步 "
    "联合 协助 配合 依靠 发动 动员 带领 帮助 指导 督促 会同 协调 行政 自然 管理"
)
# A stem's second character and the suffix character after it making an ordinary word.
_COMMON_PAIRS = _words(
    "辖区 社区 地区 城区 园区 景区 小区 片区 警区 校区 矿区 山区 灾区 误区 盲区 禁区 街区 "
    "郊区 林区 牧区 厂区 营区 分区 专区 特区 老区 边区 库区 城市 超市 都市 股市 夜市 集市 "
    "菜市 门市 上市 开市 楼市 早市 街市 郡县 城镇 乡镇 集镇 坐镇 重镇 古镇 村镇 城乡 家乡 "
    "下乡 老乡 同乡 故乡 返乡 回乡 农村 乡村 山村 渔村 邻村 包村 节省 反省 外省"
)
_NOT_BUREAU = "(?![面势限部长])"
_ADMIN = (
    "(?:自治区|自治州|自治县|省(?![略心力钱份道])|市(?![场民容面值井貌价况])|县|"
    "区(?![别分域间划块位隔])|镇(?![压守定静])|乡(?![村镇土愁亲])|街道|村(?![民庄落干级])|社区)"
)
_POLICE = "(?:公安局|公安分局|公安处|公安厅|分局|派出所|警务室|警务站|大队|中队|支队)"
_STEM = (
    f"(?=[{_HAN}]{{2}}[自省市县区镇乡街村社公分派警大中支])"
    f"(?!{'|'.join(_STOP_STEMS)})(?![{_FUNC}])[{_HAN}]"
    f"(?![{_FUNC}]|{'|'.join(_COMMON_PAIRS)})[{_HAN}]"
)
_PIECE = f"{_STEM}(?:{_ADMIN}|{_POLICE})"
_UNIT_WORDS = "公安局|公安分局|公安处|公安厅|人民政府|政府|党委|委员会|委"
_TAIL = f"(?:{_PIECE}|{_UNIT_WORDS}|派出所|局{_NOT_BUREAU})"
_LEVEL = f"(?:[省市县区]{{1,3}}(?:{_UNIT_WORDS}|局{_NOT_BUREAU}|厅|级|直))"
_SCOPE = (
    r"(?:[各全]县\(市、?区\)"
    f"|[全本我各该此](?:县市区|县区|市县|县局|分局|派出所|乡镇|省|市(?![场民])|县|"
    f"区(?![别分域])|镇|乡|街道|村|社区|局{_NOT_BUREAU}|所(?![有以属在需谓])))"
)
_GENERIC = f"(?:{_SCOPE}|{_LEVEL}|{_PIECE}|分局{_NOT_BUREAU})"


@lru_cache(maxsize=64)
def _name_pattern(names: tuple[str, ...], generic: bool = True) -> re.Pattern[str] | None:
    """One pattern for the supplied names (longest first) and the generic names, chained."""
    supplied = "|".join(re.escape(name) for name in names)
    if not generic:
        return re.compile(f"(?:{supplied})+") if names else None
    if names:
        return re.compile(f"(?:{supplied}|{_GENERIC})(?:{supplied}|{_TAIL})*")
    return re.compile(f"{_GENERIC}{_TAIL}*")


# U+FF01..U+FF5E are the full-width forms of ASCII; U+3000 is the ideographic space.
_FULLWIDTH_FIRST, _FULLWIDTH_LAST, _FULLWIDTH_SHIFT = 0xFF01, 0xFF5E, 0xFEE0


@lru_cache(maxsize=1)
def _dropped_bmp() -> npt.NDArray[np.bool_]:
    """For each BMP code point: is it white space, punctuation, a symbol or a control?"""
    return np.fromiter(
        (_is_dropped(chr(code)) for code in range(0x10000)), dtype=np.bool_, count=0x10000
    )


def _is_dropped(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "PZS" or category in ("Cc", "Cf", "Cs") or char.isspace()


def _fold_names(names: Iterable[str]) -> tuple[str, ...]:
    folded = {_fold(name.strip()) for name in names if name and name.strip()}
    return tuple(sorted(folded, key=lambda name: (-len(name), name)))


def _code_points(text: str) -> UInt32Array:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.uint32)


def _from_code_points(codes: UInt32Array) -> str:
    return codes.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")


def _fold_codes(codes: UInt32Array) -> UInt32Array:
    """Full-width ASCII as ASCII, the ideographic space as a space, ASCII letters lower-case."""
    codes = codes.copy()
    wide = (codes >= _FULLWIDTH_FIRST) & (codes <= _FULLWIDTH_LAST)
    codes[wide] -= _FULLWIDTH_SHIFT
    codes[codes == 0x3000] = 0x20
    upper = (codes >= 0x41) & (codes <= 0x5A)
    codes[upper] += 0x20
    return codes


def _fold(text: str) -> str:
    return _from_code_points(_fold_codes(_code_points(text)))


def normalize(text: str, *, names: Iterable[str] = (), generic_names: bool = True) -> Normalized:
    """The text as compared: names as one placeholder, no white space, punctuation or symbols
    (`generic_names=False` replaces only the supplied `names`)."""
    codes = _fold_codes(_code_points(text))
    size = len(codes)
    folded = _from_code_points(codes)
    table = _dropped_bmp()
    keep = np.ones(size, dtype=np.bool_)
    bmp = codes < 0x10000
    keep[bmp] = ~table[codes[bmp]]
    for index in np.flatnonzero(~bmp):
        keep[index] = not _is_dropped(folded[index])
    ends = np.arange(1, size + 1, dtype=np.int32)

    pattern = _name_pattern(_fold_names(names), generic_names)
    spans = [m.span() for m in pattern.finditer(folded)] if pattern else []
    if spans:
        starts_arr = np.fromiter((s for s, _ in spans), dtype=np.int64, count=len(spans))
        ends_arr = np.fromiter((e for _, e in spans), dtype=np.int64, count=len(spans))
        delta = np.zeros(size + 1, dtype=np.int32)
        delta[starts_arr] += 1  # matches do not overlap: no index repeats within an array
        delta[ends_arr] -= 1
        inside = np.cumsum(delta[:-1]) > 0
        keep &= ~inside
        keep[starts_arr] = True
        codes[starts_arr] = ord(PLACEHOLDER)
        ends[starts_arr] = ends_arr

    kept = np.flatnonzero(keep)
    kept_codes = codes[kept]
    # A run of placeholders (names separated only by dropped characters) is one placeholder.
    is_placeholder = kept_codes == ord(PLACEHOLDER)
    repeat = is_placeholder.copy()
    repeat[1:] &= is_placeholder[:-1]
    if len(repeat):
        repeat[0] = False
    if repeat.any():
        first_of_run = np.flatnonzero(~repeat)
        last_of_run = np.append(first_of_run[1:], len(kept)) - 1
        run_ends = ends[kept[last_of_run]]
        kept = kept[first_of_run]
        kept_codes = kept_codes[first_of_run]
        kept_ends = run_ends
    else:
        kept_ends = ends[kept]
    return Normalized(
        text=_from_code_points(kept_codes),
        offsets=kept.astype(np.int32),
        ends=np.asarray(kept_ends, dtype=np.int32),
    )


# --------------------------------------------------------------------------------------------
# Exact comparison
# --------------------------------------------------------------------------------------------


class Passage(NamedTuple):
    """A shared passage: `[start, end)` in the base's original text and in the other's."""

    base: tuple[int, int]
    other: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Comparison:
    """How much of a plan is covered by passages also found in the base."""

    similarity: float
    verdict: Verdict
    passages: tuple[Passage, ...]
    covered: int
    length: int

    def as_dict(self) -> dict[str, Any]:
        """The comparison as the CLI prints it (similarity rounded to four decimals)."""
        return {
            "similarity": round(self.similarity, 4),
            "verdict": str(self.verdict),
            "passages": [{"base": list(p.base), "other": list(p.other)} for p in self.passages],
        }


_HASH_BASE = np.uint64(0x100000001B3)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


def _mix(values: UInt64Array) -> UInt64Array:
    """The splitmix64 finaliser: spreads a polynomial hash over all 64 bits."""
    z = values ^ (values >> np.uint64(30))
    z *= _MIX_1
    z ^= z >> np.uint64(27)
    z *= _MIX_2
    z ^= z >> np.uint64(31)
    return z


def _window_hashes(codes: UInt32Array, min_len: int) -> UInt64Array:
    """A 64-bit hash of every `min_len`-character window."""
    count = len(codes) - min_len + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    wide = codes.astype(np.uint64)
    hashes = np.zeros(count, dtype=np.uint64)
    for step in range(min_len):
        hashes *= _HASH_BASE
        hashes += wide[step : step + count]
    return _mix(hashes)


@dataclass(slots=True)
class _Prepared:
    """A normalised text's code points and window hashes, also sorted for look-ups."""

    codes: UInt32Array
    hashes: UInt64Array
    order: npt.NDArray[np.intp]
    sorted_hashes: UInt64Array

    @classmethod
    def of(cls, text: str, min_len: int) -> _Prepared:
        codes = _code_points(text)
        hashes = _window_hashes(codes, min_len)
        order = np.argsort(hashes)
        return cls(codes=codes, hashes=hashes, order=order, sorted_hashes=hashes[order])


def _hits(base: _Prepared, other: _Prepared, min_len: int) -> tuple[npt.NDArray[np.bool_], Any]:
    """Which windows of `other` occur in `base`, and a base position of each (exactly checked)."""
    count = len(other.hashes)
    hit = np.zeros(count, dtype=np.bool_)
    positions = np.zeros(count, dtype=np.intp)
    if count == 0 or len(base.hashes) == 0:
        return hit, positions
    # Searching with sorted keys lets each binary search start where the previous one ended.
    index = np.searchsorted(base.sorted_hashes, other.sorted_hashes)
    np.minimum(index, len(base.sorted_hashes) - 1, out=index)
    hit[other.order] = base.sorted_hashes[index] == other.sorted_hashes
    positions[other.order] = base.order[index]
    _verify(hit, positions, base.codes, other.codes, min_len)
    return hit, positions


def _verify(
    hit: npt.NDArray[np.bool_],
    positions: Any,
    base_codes: UInt32Array,
    other_codes: UInt32Array,
    min_len: int,
) -> None:
    """Clear the hits whose text differs from the base's (64-bit hash collisions).

    The first window of each run (consecutive windows at consecutive base positions) is compared
    in full, every later one only by its last character; should anything differ, which in
    practice never happens, every hit window is compared in full.
    """
    windows = np.flatnonzero(hit)
    if not len(windows):
        return
    at = positions[windows]
    continues = np.zeros(len(windows), dtype=np.bool_)
    continues[1:] = (windows[1:] == windows[:-1] + 1) & (at[1:] == at[:-1] + 1)
    steps = np.arange(min_len)
    firsts, later = ~continues, continues
    same_first = (
        base_codes[at[firsts, None] + steps] == other_codes[windows[firsts, None] + steps]
    ).all(axis=1)
    same_last = base_codes[at[later] + min_len - 1] == other_codes[windows[later] + min_len - 1]
    if same_first.all() and same_last.all():
        return
    same = (base_codes[at[:, None] + steps] == other_codes[windows[:, None] + steps]).all(axis=1)
    hit[windows[~same]] = False


def _covered(hit: npt.NDArray[np.bool_], min_len: int) -> int:
    """How many characters the union of the hit windows covers."""
    starts = np.flatnonzero(hit)
    if not len(starts):
        return 0
    return int(np.minimum(np.diff(starts), min_len).sum()) + min_len


def _similarity(base: _Prepared, other: _Prepared, min_len: int) -> float:
    length = len(other.codes)
    if length < min_len:
        return 0.0
    hit, _ = _hits(base, other, min_len)
    return _covered(hit, min_len) / length


def _extend(base: UInt32Array, other: UInt32Array, base_at: int, other_at: int) -> int:
    """The length of the common run starting at `base_at` and `other_at`."""
    limit = min(len(base) - base_at, len(other) - other_at)
    differ = np.flatnonzero(base[base_at : base_at + limit] != other[other_at : other_at + limit])
    return int(differ[0]) if len(differ) else limit


def _runs(base: _Prepared, other: _Prepared, min_len: int) -> list[tuple[int, int, int]]:
    """Maximal matched runs `(base_start, other_start, length)` covering exactly the hits,
    in order of `other`, not overlapping on the `other` side."""
    hit, _positions = _hits(base, other, min_len)
    runs: list[tuple[int, int, int]] = []
    covered_to = 0
    at = 0
    count = len(hit)
    while at < count:
        if not hit[at]:
            at += 1
            continue
        # Among the base occurrences of this window, follow the one matching longest.
        key = other.hashes[at]
        low = int(np.searchsorted(base.sorted_hashes, key, side="left"))
        high = int(np.searchsorted(base.sorted_hashes, key, side="right"))
        best_start, best_length = -1, 0
        for slot in range(low, min(high, low + 16)):
            start = int(base.order[slot])
            length = _extend(base.codes, other.codes, start, at)
            if length > best_length:
                best_start, best_length = start, length
        if best_length < min_len:  # a hash collision the exact check already refused
            at += 1
            continue
        trim = max(0, covered_to - at)
        runs.append((best_start + trim, at + trim, best_length - trim))
        covered_to = at + best_length
        at = at + best_length - min_len + 1
    return runs


def compare(*, base: Normalized, other: Normalized, min_len: int = MIN_LEN) -> Comparison:
    """How much of `other` is covered by passages of `min_len`+ characters found in `base`."""
    length = len(other)
    if length < min_len or len(base) < min_len:
        return Comparison(
            similarity=0.0, verdict=Verdict.ORIGINAL, passages=(), covered=0, length=length
        )
    prepared_base = _Prepared.of(base.text, min_len)
    prepared_other = _Prepared.of(other.text, min_len)
    runs = _runs(prepared_base, prepared_other, min_len)
    covered = sum(run_length for _, _, run_length in runs)
    passages = tuple(
        Passage(
            base=base.original_span(start=base_at, end=base_at + run_length),
            other=other.original_span(start=other_at, end=other_at + run_length),
        )
        for base_at, other_at, run_length in runs
    )
    share = covered / length
    return Comparison(
        similarity=share,
        verdict=verdict_for(similarity=share),
        passages=passages,
        covered=covered,
        length=length,
    )


def similarity(*, base: Normalized, other: Normalized, min_len: int = MIN_LEN) -> float:
    """Only the similarity of `other` with `base` as base (no passages; faster)."""
    if len(other) < min_len or len(base) < min_len:
        return 0.0
    return _similarity(_Prepared.of(base.text, min_len), _Prepared.of(other.text, min_len), min_len)


# --------------------------------------------------------------------------------------------
# Corpus index
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pair(Generic[K]):
    """Two plans sharing text: `a_in_b` is the similarity of `a` with `b` as base, and back."""

    a: K
    b: K
    a_in_b: float
    b_in_a: float

    @property
    def similarity(self) -> float:
        """The larger of the two directions."""
        return max(self.a_in_b, self.b_in_a)

    @property
    def verdict(self) -> Verdict:
        """The verdict for the larger direction."""
        return verdict_for(similarity=self.similarity)


@dataclass(frozen=True, slots=True)
class Hit(Generic[K]):
    """A corpus plan a queried plan shares text with: `similarity` is the queried plan's with the
    corpus plan as base, `reverse` the corpus plan's with the queried plan as base."""

    key: K
    similarity: float
    reverse: float

    @property
    def verdict(self) -> Verdict:
        """The verdict for the queried plan against this corpus plan."""
        return verdict_for(similarity=self.similarity)


_EMPTY_BIN = np.uint32(0xFFFFFFFF)
_BANDS_PER_ROUND = 32


class PlanIndex(Generic[K]):
    """Many plans, for finding every related pair or the plans one new plan is related to."""

    def __init__(
        self,
        *,
        items: Iterable[tuple[K, Normalized]] = (),
        min_len: int = MIN_LEN,
        num_perm: int = 256,
        rows: int = 2,
        prune_at: float = 0.5,
    ) -> None:
        """`rows` MinHash values per LSH band; a candidate is checked exactly when its estimated
        share of shingles found in the other plan reaches `prune_at` × the threshold."""
        if num_perm < 2 or num_perm & (num_perm - 1) or not 1 <= rows <= num_perm:
            raise ValueError("num_perm must be a power of two and rows between 1 and num_perm")
        self.min_len = min_len
        self.num_perm = num_perm
        self.rows = rows
        self.prune_at = prune_at
        self._bits = num_perm.bit_length() - 1
        self._keys: list[K] = []
        self._texts: list[str] = []  # only the text: offsets are for passages, not needed here
        # Signatures and window counts, grown by doubling so adding plans one by one stays cheap.
        self._matrix: UInt32Array = np.empty((0, num_perm), dtype=np.uint32)
        self._sizes: npt.NDArray[np.float64] = np.empty(0, dtype=np.float64)
        for key, plan in items:
            self.add(key=key, plan=plan)

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, *, key: K, plan: Normalized) -> None:
        """Add one plan under `key`."""
        hashes = _window_hashes(_code_points(plan.text), self.min_len)
        count = len(self._keys)
        if count == len(self._matrix):
            capacity = max(64, 2 * count)
            self._matrix = np.resize(self._matrix, (capacity, self.num_perm))
            self._sizes = np.resize(self._sizes, capacity)
        self._matrix[count] = self._signature(hashes)
        self._sizes[count] = len(hashes)
        self._keys.append(key)
        self._texts.append(plan.text)

    def _signature(self, hashes: UInt64Array) -> UInt32Array:
        """One-permutation MinHash: the smallest hash value in each of `num_perm` bins."""
        signature = np.full(self.num_perm, _EMPTY_BIN, dtype=np.uint32)
        if len(hashes):
            bins = (hashes >> np.uint64(64 - self._bits)).astype(np.intp)
            values = (hashes & np.uint64(0xFFFFFFFE)).astype(np.uint32)
            np.minimum.at(signature, bins, values)
        return signature

    def _arrays(self) -> tuple[UInt32Array, npt.NDArray[np.float64]]:
        """The signatures as one matrix and each plan's number of windows."""
        count = len(self._keys)
        return self._matrix[:count], self._sizes[:count]

    @staticmethod
    def _estimate(left: UInt32Array, right: UInt32Array, left_size: Any, right_size: Any) -> Any:
        """The estimated share of the smaller plan's shingles found in the other plan."""
        filled = (left != _EMPTY_BIN) | (right != _EMPTY_BIN)
        same = (left == right) & (left != _EMPTY_BIN)
        jaccard = same.sum(axis=-1) / np.maximum(filled.sum(axis=-1), 1)
        shared = jaccard * (left_size + right_size) / (1 + jaccard)
        return shared / np.maximum(np.minimum(left_size, right_size), 1)

    def _candidates(self) -> npt.NDArray[np.int64]:
        """Pairs `a * n + b` (a < b) whose signatures agree on all rows of at least one band."""
        matrix, sizes = self._arrays()
        count = len(matrix)
        usable = np.flatnonzero(sizes > 0)
        bands = self.num_perm // self.rows
        found = np.empty(0, dtype=np.int64)
        for first in range(0, bands, _BANDS_PER_ROUND):
            chosen = range(first, min(bands, first + _BANDS_PER_ROUND))
            # One 64-bit key per (band, plan); the band number keeps bands apart.
            keys = np.concatenate([self._band_keys(matrix[usable], band) for band in chosen])
            plans = np.tile(usable, len(chosen)).astype(np.int64)
            order = np.argsort(keys)
            ordered = keys[order]
            # Every pair inside each run of equal keys: element p pairs with the rest of its run.
            same_next = ordered[1:] == ordered[:-1]
            run_start = np.ones(len(ordered), dtype=np.bool_)
            run_start[1:] = ~same_next
            run_id = np.cumsum(run_start) - 1
            run_end = np.append(np.flatnonzero(run_start)[1:], len(ordered))[run_id]
            later = run_end - np.arange(len(ordered)) - 1
            if not later.any():
                continue
            left = np.repeat(np.arange(len(ordered)), later)
            offsets = np.arange(len(left)) - np.repeat(np.cumsum(later) - later, later)
            right = left + 1 + offsets
            a, b = plans[order[left]], plans[order[right]]
            codes = np.minimum(a, b) * count + np.maximum(a, b)
            found = np.union1d(found, codes[a != b])
        return found

    def _band_keys(self, signatures: UInt32Array, band: int) -> UInt64Array:
        """A 64-bit key of each signature's rows in `band`, different for different bands."""
        columns = signatures[:, band * self.rows : (band + 1) * self.rows].astype(np.uint64)
        keys = np.full(len(signatures), band + 1, dtype=np.uint64)
        for column in range(self.rows):
            keys = _mix(keys * _HASH_BASE + columns[:, column])
        return keys

    def pairs(self, *, threshold: float = PARTIAL_AT) -> list[Pair[K]]:
        """Every pair whose similarity in either direction is `threshold` or more, best first."""
        count = len(self._keys)
        candidates = self._candidates()
        if not len(candidates):
            return []
        left, right = candidates // count, candidates % count
        matrix, sizes = self._arrays()
        keep = np.zeros(len(candidates), dtype=np.bool_)
        chunk = 8192  # candidate pairs per step: two 8 MB signature gathers at 256 bins
        for start in range(0, len(candidates), chunk):
            a, b = left[start : start + chunk], right[start : start + chunk]
            estimate = self._estimate(matrix[a], matrix[b], sizes[a], sizes[b])
            keep[start : start + chunk] = estimate >= self.prune_at * threshold
        first_plans, second_plans = left[keep], right[keep]
        # Prepare each plan once and forget it after its last pair, to bound the memory.
        uses = np.bincount(np.concatenate((first_plans, second_plans)), minlength=count)
        prepared: dict[int, _Prepared] = {}
        result: list[Pair[K]] = []
        for a, b in zip(first_plans.tolist(), second_plans.tolist(), strict=True):
            for index in (a, b):
                if index not in prepared:
                    prepared[index] = _Prepared.of(self._texts[index], self.min_len)
            a_in_b = _similarity(prepared[b], prepared[a], self.min_len)
            b_in_a = _similarity(prepared[a], prepared[b], self.min_len)
            if max(a_in_b, b_in_a) >= threshold:
                result.append(Pair(a=self._keys[a], b=self._keys[b], a_in_b=a_in_b, b_in_a=b_in_a))
            for index in (a, b):
                uses[index] -= 1
                if not uses[index]:
                    del prepared[index]
        result.sort(key=lambda pair: -pair.similarity)
        return result

    def query(self, plan: Normalized, *, threshold: float = PARTIAL_AT) -> list[Hit[K]]:
        """The corpus plans `plan` is related to (either direction ≥ `threshold`), best first."""
        if len(plan) < self.min_len or not self._keys:
            return []
        prepared = _Prepared.of(plan.text, self.min_len)
        signature = self._signature(prepared.hashes)
        matrix, sizes = self._arrays()
        estimate = self._estimate(matrix, signature[None, :], sizes, float(len(prepared.hashes)))
        result: list[Hit[K]] = []
        for index in np.flatnonzero((estimate >= self.prune_at * threshold) & (sizes > 0)):
            corpus = _Prepared.of(self._texts[index], self.min_len)
            similarity = _similarity(corpus, prepared, self.min_len)
            reverse = _similarity(prepared, corpus, self.min_len)
            if max(similarity, reverse) >= threshold:
                result.append(Hit(key=self._keys[index], similarity=similarity, reverse=reverse))
        result.sort(key=lambda hit: -max(hit.similarity, hit.reverse))
        return result


def exhaustive_pairs(
    *, items: Iterable[tuple[K, Normalized]], threshold: float = PARTIAL_AT, min_len: int = MIN_LEN
) -> list[Pair[K]]:
    """Every pair at or over `threshold` by checking all pairs exactly (the slow reference
    `PlanIndex.pairs` is measured against; fine for a few hundred plans), best first."""
    keys: list[K] = []
    prepared: list[_Prepared] = []
    for key, plan in items:
        keys.append(key)
        prepared.append(_Prepared.of(plan.text, min_len))
    result: list[Pair[K]] = []
    for a in range(len(keys)):
        for b in range(a + 1, len(keys)):
            a_in_b = _similarity(prepared[b], prepared[a], min_len)
            b_in_a = _similarity(prepared[a], prepared[b], min_len)
            if max(a_in_b, b_in_a) >= threshold:
                result.append(Pair(a=keys[a], b=keys[b], a_in_b=a_in_b, b_in_a=b_in_a))
    result.sort(key=lambda pair: -pair.similarity)
    return result
