"""The prose of each method folder's README.md (configs/<folder>/) and the
papers its metafile cites. The tables of the READMEs are built from the
leaves; everything here is text, keyed by folder.
"""

#: Paper of each folder: title, URL, citation.
PAPERS = {
    'kd': dict(
        title='Distilling the Knowledge in a Neural Network',
        url='https://arxiv.org/abs/1503.02531',
        citation='G. Hinton, O. Vinyals, J. Dean. arXiv 1503.02531, 2015.'),
    'dkd': dict(
        title='Decoupled Knowledge Distillation',
        url='https://arxiv.org/abs/2203.08679',
        citation='B. Zhao, Q. Cui, R. Song, Y. Qiu, J. Liang. CVPR 2022, '
                 'arXiv 2203.08679.'),
    'ls': dict(
        title='Logit Standardization in Knowledge Distillation',
        url='https://arxiv.org/abs/2403.01427',
        citation='S. Sun, W. Ren, J. Li, R. Wang, X. Cao. CVPR 2024, '
                 'arXiv 2403.01427.'),
    'mlkd': dict(
        title='Multi-Level Logit Distillation',
        url='https://openaccess.thecvf.com/content/CVPR2023/html/'
            'Jin_Multi-Level_Logit_Distillation_CVPR_2023_paper.html',
        citation='Y. Jin, J. Wang, D. Lin. CVPR 2023.'),
    'crld': dict(
        title='Cross-View Consistency Regularisation for Knowledge '
              'Distillation',
        url='https://arxiv.org/abs/2412.16493',
        citation='W. Zhang, D. Liu, W. Cai, C. Ma. ACM MM 2024, '
                 'arXiv 2412.16493.'),
    'ckd': dict(
        title='CKD: Contrastive Knowledge Distillation from A Sample-wise '
              'Perspective',
        url='https://arxiv.org/abs/2404.14109',
        citation='W. Zhu, X. Zhou, P. Zhu, Y. Wang, Q. Hu. arXiv '
                 '2404.14109.'),
    'aekt': dict(
        title='Adaptive Explicit Knowledge Transfer for Knowledge '
              'Distillation',
        url='https://arxiv.org/abs/2409.01679',
        citation='H. Park, J.-S. Lee. arXiv 2409.01679.'),
}

#: Title, summary, settings (Markdown bullets) and what has no published
#: number, by folder.
FOLDERS = {
    'kd': dict(
        title='KD: Distilling the Knowledge in a Neural Network',
        summary=(
            'The student matches the teacher\'s temperature-softened class '
            'distribution with a KL term scaled by T², next to the usual '
            'cross-entropy. It is the baseline every other method here is '
            'measured against (docs/methods/kd.md).'),
        settings=(
            '* CIFAR-100: T = 4, KD weight 0.9, CE weight 0.1, 240 epochs '
            '(lr 0.05; 0.01 for MobileNetV2/ShuffleNet students).\n'
            '* ImageNet: T = 1, KD weight 0.5, CE weight 0.5, 100 epochs, '
            'total batch 512.'),
        missing='The CRD README has no KD numbers for the cross pairs '
                'ResNet32x4 → WRN-16-2/WRN-40-2, WRN-40-2 → ResNet8x4/'
                'MobileNetV2; those come from the LS README, which copies '
                'the CRD protocol.'),
    'dkd': dict(
        title='DKD: Decoupled Knowledge Distillation',
        summary=(
            'DKD splits the KD loss into a target-class term (TCKD) and a '
            'non-target-class term (NCKD) and weights them independently '
            '(α, β), with a linear warm-up of the distillation term. β is '
            'set per teacher–student pair (docs/methods/dkd.md).'),
        settings=(
            '* CIFAR-100: T = 4, α = 1, β per pair (8, 6 or 2), warm-up 20 '
            'epochs, CE weight 1.0, 240 epochs.\n'
            '* Pairs without an official DKD config (ResNet110 → ResNet20, '
            'ResNet32x4 → WRN-16-2/WRN-40-2, WRN-40-2 → ResNet8x4/'
            'MobileNetV2, ResNet50 → VGG8) use β = 8 and are unofficial '
            '(docs/methods/open_questions.md#open-4).\n'
            '* ImageNet: T = 1, α = 1, β = 0.5 (R34 → R18) / 2.0 (R50 → '
            'MV1), no warm-up, 100 epochs.'),
        missing='No published DKD number for ResNet50 → VGG8.'),
    'ls': dict(
        title='LS: Logit Standardization in Knowledge Distillation',
        summary=(
            'Logit standardization Z-scores the teacher\'s and the student\'s '
            'logits separately before the softmax of the distillation term, '
            'so the student matches the shape of the teacher\'s logits '
            'rather than their scale. It is a pre-process plugged into a '
            'host loss: KD, DKD and MLKD as in the paper\'s code, and CRLD '
            'as mmlogitkd\'s own combination (docs/methods/ls.md).'),
        settings=(
            '* Per-pair (τ, w) (DKD+LS: (τ, w, β)) from the file names of '
            'the LS repository\'s logs, which ran the official code '
            '(docs/methods/ls.md#per-pair-values). Pairs without a log '
            'follow the paper\'s defaults (supplement §2): τ = 2, w = 9, '
            'and w = 12 for DKD+LS (the README\'s example command uses 9); '
            'they are unofficial.\n'
            '* CE weights are the host\'s: 0.1 for KD and MLKD (per view), '
            '1.0 for DKD. The Z-score uses the code\'s unbiased std + 1e-7; '
            'the supplement writes the population std.\n'
            '* KD+LS and DKD+LS: 240 epochs. MLKD+LS: MLKD\'s lr; the LS '
            'logs ran 480 epochs (ShuffleV2: 960); a 240-epoch config is '
            'shipped too.\n'
            '* ImageNet (no code or log gives a setting beyond the KD+LS '
            'README command): the paper\'s setting for both pairs of its '
            'Table 3, τ = 2, w = 9 (DKD+LS 12), CE 0.1 for KD+LS (the '
            'repository\'s kd.yaml keeps 1.0) and 0.5 for DKD+LS and '
            'MLKD+LS, lr 0.2 (MLKD\'s R34 → R18 config uses 0.1).\n'
            '* CRLD+LS is not in the paper: CRLD with standardized logits, '
            'τ = 2 and loss_weight 9 over CRLD\'s own within-view 2.0 and '
            'cross-view 0.5 weights (unofficial).'),
        missing='The LS README has no ResNet32x4 → ShuffleNetV1, WRN-40-2 → '
                'ShuffleNetV1 or ResNet50 → VGG8 columns. The ImageNet '
                'numbers are the paper\'s Table 3 (the one ImageNet log, '
                'KD+LS R34 → R18, ends at 71.45). CRLD+LS has no published '
                'numbers at all.'),
    'mlkd': dict(
        title='MLKD: Multi-Level Logit Distillation',
        summary=(
            'MLKD aligns teacher and student at the instance, batch and '
            'class level (KL at five temperatures plus batch- and '
            'class-correlation Gram matrices) on a weak and a strong '
            'augmented view. The configs reproduce the official code, '
            'including its quirks (docs/methods/mlkd.md#quirks).'),
        settings=(
            '* CIFAR-100: temperatures [4, 3, 5, 2, 6], KD weight 0.9, CE '
            '0.1 per view.\n'
            '* Schedules per pair (docs/recipes.md#schedules): same-family '
            'pairs 240 epochs at lr 0.025 (official configs at `5ee473f`; '
            'the earlier revision used 480, '
            'docs/methods/open_questions.md#open-12, shipped as `480e`); '
            'MobileNetV2 students and WRN-40-2 → ShuffleV1 480 epochs at lr '
            '0.01; ResNet32x4 → ShuffleV1/V2 960 epochs at lr 0.01. The lr '
            'decay stages stay at 150/180/210 in every schedule. Every pair '
            'also has the other of {240e, long} for comparison.\n'
            '* Pairs without an MLKD config (ResNet110 → ResNet20, ResNet50 '
            '→ VGG8, ResNet32x4 → WRN-16-2/WRN-40-2, WRN-40-2 → ResNet8x4/'
            'MobileNetV2) apply MLKD\'s rule and are unofficial.\n'
            '* ImageNet: temperatures [1, 3, 5, 2, 6], weights 0.5/0.5, lr '
            '0.1 (R34 → R18) / 0.2 (R50 → MV1; MLKD\'s own pair is R50 → '
            'MobileNetV2), 100 epochs.'),
        missing='The MLKD repository has no results table; the numbers are '
                'the MLKD rows of the LS README (CIFAR-100), whose schedule '
                '(240 or 480 epochs) is not stated '
                '(docs/methods/open_questions.md#open-12), and of the LS '
                'paper\'s Table 3 (ImageNet).'),
    'crld': dict(
        title='CRLD: Cross-View Consistency Regularisation for Knowledge '
              'Distillation',
        summary=(
            'CRLD distils within each of two augmented views and across '
            'them (the student\'s weak view against the teacher\'s strong '
            'view and vice versa), gating each term by the teacher\'s '
            'confidence. The configs follow the official code, '
            '[arcaninez/CRLD](https://github.com/arcaninez/CRLD) at '
            '`fe42473`; its `CRLD.py` is identical to the copy in the fork '
            'scx-822/CRLD-main that served as the reference before the '
            'official repository was found (docs/methods/crld.md).'),
        settings=(
            '* CIFAR-100: T = 4, CE 1.0 per view, within-view 2.0, '
            'cross-view 0.5, thresholds 0.9 (weak) / 0.2 (strong), 240 '
            'epochs, lr 0.05 (0.01 for MobileNetV2/ShuffleNet students).\n'
            '* ImageNet: T = 1, CE 2.0 per view, same weights and '
            'thresholds, total batch 512 '
            '(docs/methods/open_questions.md#open-8), 100 epochs.'),
        missing='No CRLD results table is available: the paper\'s tables '
                'could not be read, and the fork\'s log.md baselines are '
                'not paper numbers.'),
    'ckd': dict(
        title='CKD: Contrastive Knowledge Distillation from A Sample-wise '
              'Perspective',
        summary=(
            'CKD treats each sample\'s teacher and student logits as a '
            'positive pair and the other in-batch teacher–student pairs as '
            'negatives, with an InfoNCE loss over L2-normalised logits. The '
            'loss therefore depends on the per-GPU batch size, which the '
            'config names state as `<gpus>xb<batch per GPU>` '
            '(docs/methods/ckd.md).'),
        settings=(
            '* CIFAR-100: weight, temperature and batch (32 or 64 on one '
            'GPU) per pair, CE 1.0; the official 480-epoch cosine recipe '
            '(`coslr-480e`) and the common 240-epoch step schedule '
            '(`240e`). Pairs without a CKD config use the cfg.py defaults '
            '(weight 10, temperature 1, batch 64) and are unofficial.\n'
            '* ImageNet: weight 10, temperature 1, CE 1.0, 64 per GPU × 8 '
            'GPUs; `coslr-200e` (recipe) and `100e`.\n'
            '* Negatives are per GPU (`gather=False`), as under '
            'DataParallel (docs/methods/open_questions.md#open-10).'),
        missing='No CKD results table is available.'),
    'aekt': dict(
        title='AEKT: Adaptive Explicit Knowledge Transfer for Knowledge '
              'Distillation (mmlogitkd interpretation)',
        summary=(
            'AEKT transfers the teacher\'s target-class confidence '
            '(explicit knowledge) adaptively next to DKD-style non-target '
            'knowledge. The abstract also separates the distillation and '
            'classification tasks with a "task serialization"; a learned '
            'serialization layer did not train in our ablation and is left '
            'out (docs/methods/aekt.md#design-decisions-and-ablations). No '
            'official code exists '
            'and only the abstract was available, so these configs '
            'implement **our interpretation** (docs/methods/aekt.md, '
            'docs/methods/open_questions.md#open-11).'),
        settings=(
            '* Label runs "AEKT (mmlogitkd interpretation)", never "AEKT '
            'reproduction".\n'
            '* Provisional defaults: T, β and warm-up from the DKD row of '
            'the pair (CIFAR-100 T = 4, warm-up 20; ImageNet T = 1, no '
            'warm-up), α = 1, max ratio 4, CE 1.0, the distillation terms on '
            'the classification logits.'),
        missing='No AEKT results table is available, and no paper number '
                'may be compared against these configs as a reproduction.'),
}
