# SPOL table 3, "w/o Aux Loss": L_c = L_cls only.
_base_ = './spol_r50_cub_mff_only.py'

model = dict(aux_head=None)
