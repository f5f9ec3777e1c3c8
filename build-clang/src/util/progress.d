build-clang/src/util/progress.o: src/util/progress.c src/util/progress.h

src/util/progress.h:
