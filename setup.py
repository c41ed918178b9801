from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent


def read_requirements(name):
    lines = (HERE / 'requirements' / f'{name}.txt').read_text().splitlines()
    return [line.strip() for line in lines
            if line.strip() and not line.startswith('#')]


def read_version():
    namespace = {}
    exec((HERE / 'wsol_mm' / 'version.py').read_text(), namespace)
    return namespace['__version__']


setup(
    name='wsol_mm',
    version=read_version(),
    description='Weakly supervised object localization on OpenMMLab',
    long_description=(HERE / 'README.md').read_text()
    if (HERE / 'README.md').exists() else '',
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'projects')),
    python_requires='>=3.9',
    install_requires=read_requirements('runtime'),
    # mmcv with its compiled ops (tools/install.sh --with-ops builds it).
    extras_require={'tests': read_requirements('tests'),
                    'mim': read_requirements('mminstall')},
    license='Apache-2.0',
)
