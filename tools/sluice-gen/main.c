/* sluice-gen: all logic lives in libsluice-gen.a (see gen.h). */
#include "gen.h"

int main(int argc, char **argv)
{
	return gen_main(argc, argv);
}
