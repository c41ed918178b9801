from .mff_neck import MFFNeck
from .multiplicative_channel_attention import MultiplicativeChannelAttention

__all__ = ['MFFNeck', 'MultiplicativeChannelAttention']
