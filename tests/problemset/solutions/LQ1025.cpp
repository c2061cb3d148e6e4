#include <iostream>
using namespace std;
int main() {
    long long n, k, p;
    cin >> n >> k >> p;
    long long boxes = (n + k - 1) / k;
    cout << boxes * p << "\n";
    return 0;
}
