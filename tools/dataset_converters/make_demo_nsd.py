"""Write the small demo NSD (raw NSD layout, plus a COCO-style copy).

    python tools/dataset_converters/make_demo_nsd.py data/demo_nsd --seed 0

See :mod:`mmbrain.datasets.demo` for what the data contain. It prints, per
subject and ROI group, the voxels, their median ncsnr, the three-trial noise
ceiling that gives, and how many of them other groups hold too.
"""
import argparse
import os.path as osp
import time

from mmbrain.datasets.demo import DemoSpec, make_demo_nsd
from mmbrain.utils import report_user_errors


@report_user_errors
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out', help='folder to write (the NSD data_root)')
    defaults = DemoSpec()
    for name, value in vars(defaults).items():
        parser.add_argument(
            '--' + name.replace('_', '-'), type=type(value), default=value)
    args = parser.parse_args()
    spec = DemoSpec(**{k: getattr(args, k) for k in vars(defaults)})
    start = time.time()
    summary = make_demo_nsd(args.out, spec)
    for subject, info in summary['subjects'].items():
        print(f'subject {subject}: {info["volume"]} volume, '
              f'{info["dead_voxels"]} dead voxels')
        print(f'  {"ROI group":<16}{"voxels":>8}{"ncsnr":>8}'
              f'{"NC 3 trials %":>15}{"in other groups %":>19}')
        for roi, voxels in info['voxels'].items():
            print(f'  {roi:<16}{voxels:>8}{info["median_ncsnr"][roi]:>8.2f}'
                  f'{info["noise_ceiling"][roi]:>15.1f}'
                  f'{100 * info["overlap"][roi]:>19.1f}')
    print(f'demo NSD written to {osp.abspath(args.out)} in '
          f'{time.time() - start:.1f}s: {spec.num_images} images, '
          f'{spec.num_subjects} subjects x {spec.sessions} sessions')


if __name__ == '__main__':
    main()
