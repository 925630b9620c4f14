#pragma once
// Data: datasets, the DataLoader, MNIST readers, synthetic sets.
#include "dataloader.hpp"
#include "dataset.hpp"
#include "mnist.hpp"
#include "synthetic.hpp"
