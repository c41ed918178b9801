"""Puts the repository root on ``sys.path`` so that the project package
imports as ``projects.example_project.gradcampp`` (as the tools do)."""
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)
