"""Generate the config zoo's leaves, each method folder's README.md and
metafile.yml, and the root model-index.yml.

The methods are those of :data:`mmlogitkd.methods.METHODS`; their per-pair
values, with the source of each, are the tables of ``tools/misc/zoo/`` (one
per method, named by ``Method.pair_table``; ``zoo/pairs.py`` lists the pairs
and the published results). The bases the leaves inherit
(``configs/_base_/{pairs,methods,schedules}``) are written by hand. The output
is deterministic and committed::

    python tools/misc/generate_zoo_configs.py           # (re)write the leaves
    python tools/misc/generate_zoo_configs.py --check   # verify only: fails on
                                                        # stale or edited files

A leaf is ``configs/<folder>/<method>_<teacher>_<student>_<schedule>_
<dataset>.py``; for a method whose loss depends on the per-GPU batch (a table
row with ``batch``, CKD) the schedule field reads ``<gpus>xb<batch>-
<schedule>``, as MMPretrain writes it (``1xb32-coslr-480e``). A leaf inherits
its pair, method and schedule bases and sets only the pair's models and the
row's values (loss fields, lr, batch through ``_bs<batch>`` bases).
"""
import argparse
import importlib
import os
import os.path as osp
import sys
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)  # this checkout's mmlogitkd
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))  # zoo/

from mmlogitkd.methods import DATASETS, METHODS, Method, get_method  # noqa
from zoo import pairs as zoo_pairs  # noqa: E402
from zoo import readmes  # noqa: E402

GENERATOR = 'tools/misc/generate_zoo_configs.py'
#: Row fields the generator reads; every other field is a loss argument.
ROW_FIELDS = ('source', 'unofficial', 'lr', 'batch', 'schedules')
#: No weight decay on a method's extra student module (such as a
#: task-serialization layer): decay would shrink it towards 0, acting like a
#: temperature change (docs/methods/aekt.md).
NO_HEAD_DECAY = "custom_keys={'distill_head': dict(decay_mult=0.0)}"


def table(method: Method) -> Optional[object]:
    """The method's per-pair table module, or None."""
    if method.pair_table is None:
        return None
    return importlib.import_module(f'zoo.{method.pair_table}')


@dataclass(frozen=True)
class Leaf:
    """One leaf config: a method on a pair at one schedule, with the
    pair's row of the method's table (empty without a table)."""
    method: Method
    dataset: str
    pair: dict
    schedule: str
    row: dict
    #: The method's own schedule for the pair (published results attach).
    recipe: bool

    @property
    def pair_name(self) -> str:
        return zoo_pairs.pair_name(self.pair)

    @property
    def batch(self) -> int:
        """Per-GPU batch."""
        return self.row.get('batch', zoo_pairs.DATASETS[self.dataset]['batch'])

    @property
    def total_batch(self) -> int:
        return self.batch * zoo_pairs.DATASETS[self.dataset]['gpus']

    @property
    def name(self) -> str:
        schedule = self.schedule
        if 'batch' in self.row:
            gpus = zoo_pairs.DATASETS[self.dataset]['gpus']
            schedule = f'{gpus}xb{self.batch}-{schedule}'
        return (f'{self.method.key}_{self.pair_name}_{schedule}_'
                f'{self.dataset}')

    @property
    def path(self) -> str:
        return f'configs/{self.method.folder}/{self.name}.py'

    @property
    def epochs(self) -> int:
        return int(self.schedule.split('-')[-1][:-1])

    @property
    def lr(self) -> float:
        return self.row.get('lr', zoo_pairs.standard_lr(self.dataset,
                                                        self.pair))

    @property
    def loss(self) -> Dict[str, object]:
        return {k: v for k, v in self.row.items() if k not in ROW_FIELDS}

    @property
    def source(self) -> str:
        """Where the row comes from; a row of another method's table (AEKT
        and CRLD+LS read DKD's and CRLD's) says whose."""
        if not self.row:
            return 'the method base'
        owner = self.method.pair_table.replace('_', '-')
        if owner == self.method.key:
            return self.row['source']
        return f'as {get_method(owner).name}: {self.row["source"]}'

    @property
    def unofficial(self) -> bool:
        return bool(self.row.get('unofficial') or self.method.interpretation
                    or self.method.code is None)

    @property
    def bases(self) -> List[str]:
        """The pair, method and schedule bases, relative to the leaf."""
        info = zoo_pairs.DATASETS[self.dataset]
        suffix = '' if self.batch == info['batch'] else f'_bs{self.batch}'
        method = self.method.base(self.dataset, package=False)[:-3]
        schedule = (f"{info['schedule_prefix']}_sgd_"
                    f"{self.schedule.replace('-', '_')}")
        return [f'../_base_/pairs/{self.pair_name}_{self.dataset}.py',
                f'../{method}{suffix}.py',
                f'../_base_/schedules/{schedule}{suffix}.py']

    @property
    def published(self) -> Optional[dict]:
        if not self.recipe:
            return None
        return zoo_pairs.PUBLISHED.get(self.method.key, {}).get(
            self.pair_name)


def leaves() -> List[Leaf]:
    """Every leaf: for each method, dataset and pair, one per schedule."""
    result = []
    for method in METHODS:
        values = table(method)
        for dataset in DATASETS:
            for pair in zoo_pairs.PAIRS[dataset]:
                name = zoo_pairs.pair_name(pair)
                if values is None:
                    row = {}
                elif name in values.VALUES:
                    row = values.VALUES[name]
                else:
                    raise KeyError(f'zoo/{method.pair_table}.py has no row '
                                   f'for {name} ({method.key})')
                default = getattr(values, 'SCHEDULES', {}).get(
                    dataset, (zoo_pairs.DATASETS[dataset]['schedule'], ))
                schedules = row.get('schedules', default)
                for schedule in schedules:
                    result.append(Leaf(method, dataset, pair, schedule, row,
                                       schedule == schedules[0]))
    names = [leaf.name for leaf in result]
    assert len(names) == len(set(names)), 'duplicate leaf names'
    return result


# ---------------------------------------------------------------------------
# Leaves
# ---------------------------------------------------------------------------
def render_leaf(leaf: Leaf) -> str:
    source = f'zoo/{leaf.method.pair_table or "pairs"}.py'
    text = f'# Generated by {GENERATOR} from {source}.\n'
    pair, method, schedule = (repr(base) for base in leaf.bases)
    text += f'_base_ = [{pair},\n          {method},\n          {schedule}]\n'
    text += ('model = dict(student=_base_.student, teacher=_base_.teacher,\n'
             '             teacher_ckpt=_base_.teacher_ckpt,\n'
             '             teacher_ckpt_sha256=_base_.teacher_ckpt_sha256')
    if leaf.loss:
        fields = ', '.join(f'{k}={v!r}' for k, v in leaf.loss.items())
        head = f',\n             distill_losses=dict({leaf.method.loss_name}'
        if len(head) - 2 + len(fields) + 9 <= 79:
            text += f'{head}=dict({fields})))\n'
        else:
            text += f'{head}=dict(\n                 {fields})))\n'
    else:
        text += ')\n'
    parts = []
    if leaf.lr != zoo_pairs.DATASETS[leaf.dataset]['lr']:
        parts.append(f'optimizer=dict(lr={leaf.lr!r})')
    if leaf.method.distill_head:
        parts.append(f'paramwise_cfg=dict(\n    {NO_HEAD_DECAY})')
    if parts:
        text += f'optim_wrapper = dict({", ".join(parts)})\n'
    lines = text.splitlines()
    assert len(lines) <= 10 and max(map(len, lines)) <= 79, leaf.name
    return text


# ---------------------------------------------------------------------------
# README.md, metafile.yml, model-index.yml
# ---------------------------------------------------------------------------
def code_link(code: str) -> str:
    """``owner/repo@commit`` as a Markdown link to that commit."""
    repo, commit = code.split('@')
    return f'[{repo}](https://github.com/{repo}/tree/{commit}) at `{commit}`'


def render_readme(folder: str, folder_leaves: List[Leaf]) -> str:
    doc, paper = readmes.FOLDERS[folder], readmes.PAPERS[folder]
    methods = [m for m in METHODS if m.folder == folder]
    tables = sorted({f'`tools/misc/zoo/{m.pair_table}.py`' for m in methods
                     if m.pair_table})
    text = f'# {doc["title"]}\n\n'
    text += (f'> Generated by `{GENERATOR}` from `mmlogitkd/methods.py` and '
             '`tools/misc/zoo/`; edit those, not this.\n\n')
    text += f'{doc["summary"]}\n\n'
    text += f'Paper: [{paper["title"]}]({paper["url"]}). {paper["citation"]}'
    codes = sorted({m.code for m in methods if m.code})
    if codes:
        text += '\nOfficial code: ' + ', '.join(map(code_link, codes)) + '.'
    text += '\n\n## Settings\n\n' + doc['settings'] + '\n\n'
    text += ('The configs inherit a pair, a method and a schedule base '
             '(`configs/_base_/`), which state their sources; each leaf '
             'adds the values of its pair')
    text += (f' from {", ".join(tables)}, whose source is the "Setting" '
             'column below.\n' if tables else ' (none for this method).\n')
    text += ('\n## Results\n\nTop-1 accuracy (%). "Published" numbers are '
             'copied from the source named in the table '
             '(docs/published_results.md); they used the original teachers '
             'and code. The "ours" columns stay empty until a run of this '
             'repository fills them (best and last epoch, mean ± std over '
             'seeds); they are never estimated. "Unofficial" marks settings '
             'that neither the paper nor the official code gives for the '
             f'pair.\n\n{doc["missing"]}\n\n')
    for dataset in DATASETS:
        rows = [leaf for leaf in folder_leaves if leaf.dataset == dataset]
        text += f'### {zoo_pairs.DATASETS[dataset]["name"]}\n\n'
        text += ('| Method | Teacher → Student | Schedule | Config | Setting '
                 '| Published | Source | Ours (best) | Ours (last) |\n'
                 '|---|---|---|---|---|---|---|---|---|\n')
        for leaf in rows:
            published = leaf.published or dict(top1=None, source='')
            number = ('—' if published['top1'] is None else
                      f'{published["top1"]:.2f}')
            label = leaf.method.name + (' (unofficial)' if leaf.unofficial
                                        else '')
            arch = zoo_pairs.ARCH_NAMES
            text += (f'| {label} | {arch[leaf.pair["teacher"]]} → '
                     f'{arch[leaf.pair["student"]]} | '
                     f'{leaf.name.split("_")[-2]} | [config](./{leaf.name}.py)'
                     f' | {leaf.source} | {number} '
                     f'| {published["source"]} | | |\n')
        text += '\n'
    return text + f'## Citation\n\n{paper["citation"]}\n'


def yaml_str(value: str) -> str:
    """A YAML scalar, quoted when needed."""
    if any(c in value for c in ':#{}[],&*?|<>=!%@`\'"') or \
            value != value.strip():
        return "'" + value.replace("'", "''") + "'"
    return value


def render_metafile(folder: str, folder_leaves: List[Leaf]) -> str:
    paper = readmes.PAPERS[folder]
    text = f'# Generated by {GENERATOR} (edit that, not this).\n'
    text += 'Collections:\n'
    for method in (m for m in METHODS if m.folder == folder):
        text += (f'  - Name: {yaml_str(method.name)}\n'
                 '    Metadata:\n'
                 '      Training Data:\n        - CIFAR-100\n'
                 '        - ImageNet-1k\n'
                 '      Training Techniques:\n'
                 '        - Knowledge Distillation\n'
                 '        - SGD with Momentum\n'
                 '        - Weight Decay\n'
                 '    Paper:\n'
                 f'      Title: {yaml_str(paper["title"])}\n'
                 f'      URL: {yaml_str(paper["url"])}\n'
                 f'    README: configs/{folder}/README.md\n')
        if method.code:
            repo, commit = method.code.split('@')
            url = f'https://github.com/{repo}/tree/{commit}'
            text += f'    Code:\n      URL: {yaml_str(url)}\n'
    text += '\nModels:\n'
    for leaf in folder_leaves:
        arch = zoo_pairs.ARCH_NAMES
        text += (f'  - Name: {leaf.name}\n'
                 f'    In Collection: {yaml_str(leaf.method.name)}\n'
                 '    Metadata:\n'
                 '      Training Data: '
                 f'{zoo_pairs.DATASETS[leaf.dataset]["name"]}\n'
                 f'      Epochs: {leaf.epochs}\n'
                 f'      Batch Size: {leaf.total_batch}\n'
                 f'      Architecture:\n        - '
                 f'{arch[leaf.pair["student"]]}\n'
                 f'      Teacher: {arch[leaf.pair["teacher"]]}\n'
                 f'      Student: {arch[leaf.pair["student"]]}\n'
                 f'      Schedule: {leaf.schedule}\n'
                 f'      Unofficial Setting: {str(leaf.unofficial).lower()}\n')
        if leaf.published:
            text += ('    Results:\n'
                     '      - Task: Image Classification\n'
                     '        Dataset: '
                     f'{zoo_pairs.DATASETS[leaf.dataset]["name"]}\n'
                     '        Metrics:\n'
                     '          Top 1 Accuracy (published): '
                     f'{leaf.published["top1"]:.2f}\n'
                     f'        Published: {yaml_str(leaf.published["source"])}'
                     '\n')
        text += f'    Config: {leaf.path}\n'
    return text


def folders() -> List[str]:
    """Method folders in METHODS order."""
    return list(dict.fromkeys(method.folder for method in METHODS))


def build_tree() -> Dict[str, str]:
    """Relative path -> content of every generated file."""
    files = {}
    all_leaves = leaves()
    for folder in folders():
        in_folder = [leaf for leaf in all_leaves
                     if leaf.method.folder == folder]
        for leaf in in_folder:
            files[leaf.path] = render_leaf(leaf)
        files[f'configs/{folder}/README.md'] = render_readme(folder,
                                                             in_folder)
        files[f'configs/{folder}/metafile.yml'] = render_metafile(
            folder, in_folder)
    files['model-index.yml'] = (
        f'# Generated by {GENERATOR} (edit that, not this).\nImport:\n' +
        ''.join(f'  - configs/{folder}/metafile.yml\n'
                for folder in folders()))
    return files


# ---------------------------------------------------------------------------
# Writing and checking
# ---------------------------------------------------------------------------
def stale_files(root: str, tree: Dict[str, str]) -> List[str]:
    """Files in the method folders that the generator does not produce."""
    stale = []
    for folder in folders():
        path = osp.join(root, 'configs', folder)
        for name in sorted(os.listdir(path)) if osp.isdir(path) else ():
            rel = f'configs/{folder}/{name}'
            if osp.isfile(osp.join(path, name)) and rel not in tree:
                stale.append(rel)
    return stale


def check(root: str = REPO_ROOT) -> List[str]:
    """Problems that a re-run would fix: missing, differing, stale files."""
    tree = build_tree()
    problems = []
    for rel, text in sorted(tree.items()):
        path = osp.join(root, rel)
        if not osp.exists(path):
            problems.append(f'missing: {rel}')
            continue
        with open(path, encoding='utf-8') as f:
            if f.read() != text:
                problems.append(f'differs: {rel}')
    return problems + [f'stale: {rel}' for rel in stale_files(root, tree)]


def write(root: str = REPO_ROOT) -> int:
    tree = build_tree()
    for rel in stale_files(root, tree):
        os.remove(osp.join(root, rel))
    for rel, text in sorted(tree.items()):
        path = osp.join(root, rel)
        os.makedirs(osp.dirname(path) or '.', exist_ok=True)
        with open(path, 'w', encoding='utf-8', newline='\n') as f:
            f.write(text)
    return len(tree)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--check', action='store_true',
                        help='only verify that the tree is up to date')
    parser.add_argument('--root', default=REPO_ROOT,
                        help='repository root (default: this checkout)')
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.root)
        for problem in problems:
            print(problem)
        if problems:
            print(f'{len(problems)} file(s) out of date; run {GENERATOR}')
            return 1
        print('config zoo up to date')
        return 0
    print(f'wrote {write(args.root)} files')
    return 0


if __name__ == '__main__':
    sys.exit(main())
