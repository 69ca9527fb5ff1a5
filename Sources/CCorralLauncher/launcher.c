#include "corral_launcher.h"
