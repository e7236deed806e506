/* The daemon's module registry, from the one feature list. */
#include "core/feature.h"

const struct sl_feature *const sl_features[] = {
#define SL_FEATURE(name) &sl_##name##_feature,
#include "features/list.h"
#undef SL_FEATURE
};

const int sl_nfeatures = sizeof(sl_features) / sizeof(sl_features[0]);
