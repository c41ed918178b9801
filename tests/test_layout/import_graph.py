"""The import graph of a package between its top-level parts, from the AST.

Every import counts: at module level and inside functions (lazy imports),
absolute and relative, ``from pkg import sub`` and
``importlib.import_module('pkg.sub')`` with a literal name. The nodes are the
package's subpackages and top-level modules (``registry``, ``version``); the
package's own ``__init__.py`` is the node ``__init__``.
"""
import ast
import os
import os.path as osp
from collections import defaultdict
from typing import Dict, Iterator, List, Optional, Tuple

ROOT = '__init__'
Edges = Dict[Tuple[str, str], List[str]]


def _imported_modules(tree: ast.AST, module: str,
                      is_package: bool) -> Iterator[Tuple[str, int]]:
    """``(absolute module name, line)`` of every import in ``tree``, the
    code of ``module`` (a package when ``is_package``)."""
    package = module if is_package else module.rpartition('.')[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split('.')
                base = parts[:len(parts) - node.level + 1]
                if node.module:
                    base.append(node.module)
                source = '.'.join(base)
            else:
                source = node.module
            for alias in node.names:
                # `from pkg import sub` may name a module: keep both, the
                # caller resolves which one exists.
                yield f'{source}.{alias.name}', node.lineno
        elif isinstance(node, ast.Call) and node.args and \
                isinstance(node.args[0], ast.Constant) and \
                isinstance(node.args[0].value, str):
            func = node.func
            name = getattr(func, 'id', None) or getattr(func, 'attr', None)
            if name in ('import_module', '__import__'):
                yield node.args[0].value, node.lineno


def _top_level_part(package_dir: str, imported: str) -> Optional[str]:
    """The top-level part of the package that ``imported`` lies in, or None
    for modules outside the package."""
    package = osp.basename(osp.normpath(package_dir))
    parts = imported.split('.')
    if parts[0] != package:
        return None
    if len(parts) == 1:
        return ROOT
    name = parts[1]
    if osp.isdir(osp.join(package_dir, name)) or \
            osp.isfile(osp.join(package_dir, f'{name}.py')):
        return name
    return ROOT  # a name defined in the package's __init__.py


def part_edges(package_dir: str) -> Edges:
    """``{(importing part, imported part): ['file:line imports name']}`` of
    every import between two different top-level parts of the package."""
    package_dir = osp.normpath(package_dir)
    parent = osp.dirname(package_dir)
    edges = defaultdict(list)
    for folder, _, files in os.walk(package_dir):
        for file in sorted(files):
            if not file.endswith('.py'):
                continue
            path = osp.join(folder, file)
            rel = osp.relpath(path, parent)
            is_package = file == '__init__.py'
            module = (osp.dirname(rel) if is_package else rel[:-3]).replace(
                os.sep, '.')
            with open(path, encoding='utf-8') as f:
                tree = ast.parse(f.read(), filename=path)
            source = _top_level_part(package_dir, module)
            for imported, line in _imported_modules(tree, module, is_package):
                target = _top_level_part(package_dir, imported)
                if target is not None and target != source:
                    edges[(source, target)].append(
                        f'{rel}:{line} imports {imported}')
    return dict(edges)


def find_cycle(edges: Edges) -> Optional[List[str]]:
    """A cycle ``[a, b, ..., a]`` of the graph, or None."""
    graph = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
    state = {}  # node -> 'open' (on the current path) or 'done'
    path = []

    def visit(node):
        state[node] = 'open'
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 'open':
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        state[node] = 'done'
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def describe_cycle(cycle: List[str], edges: Edges) -> str:
    """The cycle with the files making each of its edges."""
    lines = [' -> '.join(cycle)]
    for source, target in zip(cycle, cycle[1:]):
        lines.append(f'{source} -> {target}:')
        lines += [f'    {where}' for where in edges[(source, target)]]
    return '\n'.join(lines)
