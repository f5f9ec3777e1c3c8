build-clang/src/collect/synth.o: src/collect/synth.c src/collect/synth.h \
  src/profile/format.h src/util/die.h src/util/vec.h

src/collect/synth.h:

src/profile/format.h:

src/util/die.h:

src/util/vec.h:
