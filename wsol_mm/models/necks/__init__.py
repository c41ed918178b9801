from .conv_relu_neck import ConvReLUNeck
from .mff_neck import MFFNeck
from .multiplicative_channel_attention import MultiplicativeChannelAttention

__all__ = ['ConvReLUNeck', 'MFFNeck', 'MultiplicativeChannelAttention']
